import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deviceScript } from '../../main/services/runs/device-scripts';
import lib from '../../main/services/runs/scripts/lib.sh?raw';

/** Runs lib.sh + `body` with dash (`sh -s`, as a device does), lock files in `dir`; resolves with exit code and stderr. */
function run(dir: string, body: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('dash', ['-s'], { env: { ...process.env, EAI_RUN_DIR: dir } });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stderr }));
    p.stdin.end(`${lib}\n${body}\n`);
  });
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one run of a device script at a time (lib.sh one_run_at_a_time)', () => {
  it('a second run of the same script waits for an earlier one still running, then goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'one-run-'));
    const log = join(dir, 'log');
    const first = run(dir, `one_run_at_a_time stage 10\necho first-start >> ${log}\nsleep 0.8\necho first-end >> ${log}`);
    await sleep(300);
    const second = await run(dir, `one_run_at_a_time stage 10\necho second-start >> ${log}`);
    expect(second).toEqual({ code: 0, stderr: '' });
    // The first run found no note: it says nothing (a device script's stderr is shown to the technician).
    expect(await first).toEqual({ code: 0, stderr: '' });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['first-start', 'first-end', 'second-start']);
  });

  it('another script does not wait', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'one-run-'));
    const log = join(dir, 'log');
    const first = run(dir, `one_run_at_a_time stage 10\nsleep 0.8\necho first-end >> ${log}`);
    await sleep(300);
    await run(dir, `one_run_at_a_time verify 10\necho other-start >> ${log}`);
    await first;
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['other-start', 'first-end']);
  });

  it('a note left by a run that ended, or whose pid now belongs to another process, does not hold anything up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'one-run-'));
    // This test's own pid is alive, but its start time is not the one noted: a reused pid.
    writeFileSync(join(dir, 'eai-script-stage.pid'), `${process.pid} 1\n`);
    const t0 = Date.now();
    expect((await run(dir, 'one_run_at_a_time stage 10\necho ok')).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    // An empty note (a run stopped as it wrote it) neither.
    writeFileSync(join(dir, 'eai-script-stage.pid'), '\n');
    expect(await run(dir, 'one_run_at_a_time stage 10')).toEqual({ code: 0, stderr: '' });
    expect(Date.now() - t0).toBeLessThan(5000);
    // The run noted itself: its own pid and start time, in the format it reads.
    expect(readFileSync(join(dir, 'eai-script-stage.pid'), 'utf8')).toMatch(/^\d+ \d+\n$/);
  });

  it('past the limit it stops with a clear message and exit 75, and does not run the script', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'one-run-'));
    const log = join(dir, 'log');
    const first = run(dir, 'one_run_at_a_time stage 10\nsleep 2.5');
    await sleep(300);
    const second = await run(dir, `one_run_at_a_time stage 1\necho second-ran >> ${log}`);
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(/An earlier run of this step \(process \d+\) is still running on the device after 1 s/);
    await first;
    expect(() => readFileSync(log, 'utf8')).toThrow();
  });

  it('every device script starts with it, under its own name', () => {
    expect(deviceScript('stage', '/x', 'y', '/z', 'a').text).toContain('\none_run_at_a_time stage 300\n');
    expect(deviceScript('agentInstall').text).toContain('\none_run_at_a_time agentInstall 300\n');
  });
});
