import { AppError } from '../../../common/errors';

/**
 * A second, deliberately small reader of the tar's raw headers, fed the same bytes as the bundle check. It
 * exists because the check (tar-stream) and the device (GNU tar) must read the same archive: where their
 * parsers could differ, the bundle is refused rather than trusted. Refused: a global pax header (GNU tar
 * applies its `path` to the next members, tar-stream ignores it), pax keywords the check does not handle,
 * and a size on a directory, symlink or hard link (GNU tar reads no data for those, tar-stream does, so the
 * two would see different members after it). It also lists the members, so the two readers can be compared.
 */

/** The pax keywords whose meaning the check knows (ustar fields with more room); anything else is refused. */
const PAX_KNOWN = new Set(['path', 'linkpath', 'size', 'mtime', 'atime', 'ctime', 'uid', 'gid', 'uname', 'gname']);
/** Types that carry no data in GNU tar's reading, whatever their size field says. */
const NO_DATA = new Set(['1', '2', '5']);

const refuse = (message: string) =>
  new AppError({
    code: 'INVALID_INPUT',
    message,
    fix: 'Use the agent-mode tar exactly as published by Spectro Cloud, and check how it was carried to site.',
    data: { check: 'bundle' },
  });

function octal(buf: Buffer, start: number, len: number): number {
  const field = buf.subarray(start, start + len);
  // GNU base-256 for large values: top bit of the first byte set.
  if (field[0]! & 0x80) {
    let v = 0;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i]!;
    return v;
  }
  const s = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return s ? parseInt(s, 8) : 0;
}

function cstring(buf: Buffer, start: number, len: number): string {
  const field = buf.subarray(start, start + len);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

/** "30 mtime=1700000000.5\n" records. */
export function paxRecords(data: Buffer): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(data.subarray(i, sp).toString('latin1'), 10);
    if (!(len > 0) || i + len > data.length) throw refuse('The bundle has a damaged pax header.');
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq < 0) throw refuse('The bundle has a damaged pax header.');
    out.push([rec.slice(0, eq), rec.slice(eq + 1)]);
    i += len;
  }
  return out;
}

export interface RawMember {
  name: string;
  type: string;
}

/** Push bytes in order with `write`; `end` says whether the archive ended cleanly; `members` lists what was read. */
export class TarHeaderWalker {
  readonly members: RawMember[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private skip = 0;
  /** A pax ('x') or GNU long name ('L') / long link ('K') header whose data is being read. */
  private pending: { type: string; left: number; data: Buffer[] } | null = null;
  private pax: Map<string, string> | null = null;
  private longName: string | null = null;
  private ended = false;

  write(chunk: Buffer): void {
    if (this.ended) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.buf.length);
        this.buf = this.buf.subarray(n);
        this.skip -= n;
        if (this.skip > 0) return;
      }
      if (this.pending) {
        const block = Math.ceil(this.pending.left / 512) * 512;
        if (this.buf.length < block) return;
        this.pending.data.push(this.buf.subarray(0, this.pending.left));
        this.buf = this.buf.subarray(block);
        const { type, data } = this.pending;
        this.pending = null;
        this.finishLong(Buffer.concat(data), type);
        continue;
      }
      if (this.buf.length < 512) return;
      const h = this.buf.subarray(0, 512);
      this.buf = this.buf.subarray(512);
      if (h.every((b) => b === 0)) {
        this.ended = true;
        return;
      }
      this.header(h);
    }
  }

  private header(h: Buffer): void {
    const type = String.fromCharCode(h[156] || 0x30);
    const size = octal(h, 124, 12);
    const prefix = cstring(h, 345, 155);
    const raw = cstring(h, 0, 100);
    if (type === 'g') throw refuse('The bundle has a global pax header: GNU tar and the bundle check would read different member names.');
    if (type === 'x' || type === 'L' || type === 'K') {
      if (size === 0) this.finishLong(Buffer.alloc(0), type);
      else this.pending = { type, left: size, data: [] };
      return;
    }
    const name = this.pax?.get('path') ?? this.longName ?? (prefix ? `${prefix}/${raw}` : raw);
    const paxSize = this.pax?.get('size');
    const effSize = paxSize !== undefined ? Number(paxSize) : size;
    this.pax = null;
    this.longName = null;
    if (NO_DATA.has(type) && effSize > 0) {
      const what = type === '5' ? 'directory' : type === '2' ? 'symlink' : 'hard link';
      throw refuse(
        `The bundle's ${what} ${name} declares ${effSize} bytes of data: GNU tar and the bundle check would read the rest of the archive differently.`,
      );
    }
    this.members.push({ name, type });
    this.skip = NO_DATA.has(type) ? 0 : Math.ceil(effSize / 512) * 512;
  }

  private finishLong(data: Buffer, type: string): void {
    if (type === 'L') this.longName = cstring(data, 0, data.length);
    if (type !== 'x') return;
    const records = paxRecords(data);
    const unknown = records.map(([k]) => k).filter((k) => !PAX_KNOWN.has(k));
    if (unknown.length)
      throw refuse(
        `The bundle uses pax keywords the bundle check does not handle (${[...new Set(unknown)].join(', ')}): GNU tar could apply them differently.`,
      );
    this.pax = new Map(records);
  }

  end(): void {
    if (!this.ended) throw refuse('The bundle has no end-of-archive marker: it is truncated or damaged.');
  }
}
