import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lineProgress, terminalProgress } from '../../main/cli/progress';

/** A terminal as cli-progress sees one: a TTY stream with a width. */
function fakeTty() {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; columns: number };
  s.isTTY = true;
  s.columns = 120;
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return { stream: s as unknown as NodeJS.WriteStream, text: () => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') };
}

describe('the CLI on a terminal', () => {
  it('draws a bar per device with its step and percentage, and prints events above the bars', async () => {
    const tty = fakeTty();
    const p = terminalProgress(tty.stream, ['store12-a', 'b']);
    p.update('store12-a', 0.5, 'Upload the bundle');
    p.update('b', 1, 'installed and verified');
    p.log('store12-a: upload');
    await new Promise((r) => setTimeout(r, 600));
    p.stop();
    const out = tty.text();
    expect(out).toMatch(/store12-a \|[█░]+\| +50% Upload the bundle/);
    expect(out).toMatch(/b {9}\|█+\| +100% installed and verified/);
    expect(out).toContain('store12-a: upload\n');
  });

  it('without a terminal, one line per change of phase (never one per byte)', () => {
    const lines: string[] = [];
    const p = lineProgress((l) => lines.push(l));
    for (const f of [0.1, 0.2, 0.3]) p.update('a', f, 'Upload the bundle');
    p.update('a', 0.4, 'Stage');
    p.update('a', 0.4, 'failed at Stage', 'No space left');
    expect(lines).toEqual(['a: Upload the bundle', 'a: Stage', 'a: failed at Stage — No space left']);
  });
});
