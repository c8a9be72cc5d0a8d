import type { FilesystemFact } from '../model/host-facts';

/**
 * df in its default, -P and -PT layouts. The block size comes from the header ("1K-blocks",
 * "1024-blocks", "1B-blocks" for -B1). A long device name may break column alignment (old RHEL), and
 * POSIX df may wrap it onto its own line, so rows are read from the right.
 */
export function parseDf(text: string): FilesystemFact[] {
  const lines = text.split('\n');
  const header = lines.shift() ?? '';
  const unit = blockUnit(header);
  const hasType = /\bType\b/.test(header);
  const out: FilesystemFact[] = [];
  let carry = '';
  for (const raw of lines) {
    if (!raw.trim()) continue;
    const words = (carry + ' ' + raw).trim().split(/\s+/);
    // Filesystem [Type] size used avail use% mount...
    const minWords = hasType ? 7 : 6;
    if (words.length < minWords) {
      carry = words.join(' ');
      continue;
    }
    carry = '';
    const numsAt = hasType ? 2 : 1;
    const size = Number(words[numsAt]);
    const avail = Number(words[numsAt + 2]);
    if (!Number.isFinite(size) || !Number.isFinite(avail)) continue;
    out.push({
      source: words[0]!,
      mount: words.slice(numsAt + 4).join(' '),
      sizeBytes: size * unit,
      availableBytes: avail * unit,
    });
  }
  return out;
}

function blockUnit(header: string): number {
  const m = /(\d+)([KMG]?)B?-blocks/.exec(header);
  if (!m) return 1024;
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * mult;
}
