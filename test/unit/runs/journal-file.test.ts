import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunJournals } from '../../../main/services/runs/journal-file';

describe('run journals', () => {
  it('writes each line as it comes, redacted, in a 0600 file', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'eai-journal-')), 'runs');
    const journals = new RunJournals(dir, () => ['s3cret-token']);
    const j = journals.open('r1');
    j.append({ kind: 'run-started', data: { kind: 'install', devices: ['d1'] } });
    j.append({ kind: 'output', deviceId: 'd1', step: 'stage', data: { lines: ['token s3cret-token sent'] } });
    const text = readFileSync(j.file, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(2);
    expect(text).not.toContain('s3cret-token');
    expect(statSync(j.file).mode & 0o777).toBe(0o600);
    expect(journals.read('r1')).toHaveLength(2);
    expect(journals.list()).toEqual(['r1']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('after close, a run still finishing keeps its lines in memory and does not throw when the folder is gone', () => {
    const root = mkdtempSync(join(tmpdir(), 'eai-journal-'));
    const journals = new RunJournals(join(root, 'runs'), () => []);
    const j = journals.open('r2');
    j.append({ kind: 'run-started', data: { kind: 'install', devices: ['d1'] } });
    journals.close();
    rmSync(root, { recursive: true, force: true });
    // Before the fix this threw ENOENT from inside a run no test was waiting for any more.
    expect(() => j.append({ kind: 'run-finished', data: { results: { d1: 'done' } } })).not.toThrow();
    expect(j.lines.map((l) => l.kind)).toEqual(['run-started', 'run-finished']);
    expect(journals.closed).toBe(true);
  });
});
