import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceService } from '../../../main/services/devices';
import { deviceScript, deviceScriptWithInput, sections } from '../../../main/services/runs/device-scripts';
import { localLink } from '../../../main/services/runs/local-link';
import { HostKeyStore } from '../../../main/services/ssh/host-key-store';
import { VisitStore } from '../../../main/services/visit-store';

/** "This machine": the same device scripts and the same upload contract, as child processes and a copy. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'eai-local-'));
  const store = new VisitStore(join(dir, 'visit.json'));
  const devices = new DeviceService(store, new HostKeyStore(join(dir, 'pins.json'), []), () => undefined);
  const d = store.add({ label: 'This machine', connection: { kind: 'local' }, state: 'connected', privilege: 'root' });
  return { dir, store, devices, link: localLink(d.id, devices, store), id: d.id };
}

describe('the local link ("This machine")', () => {
  // The scripts run as root here: their one-run-at-a-time notes go to a folder of the test's, not this machine's /run.
  const runDir = process.env.EAI_RUN_DIR;
  beforeAll(() => void (process.env.EAI_RUN_DIR = mkdtempSync(join(tmpdir(), 'eai-run-'))));
  afterAll(() => void (runDir === undefined ? delete process.env.EAI_RUN_DIR : (process.env.EAI_RUN_DIR = runDir)));
  it('runs device scripts as child processes, values as arguments, one section convention', async () => {
    const { dir, link } = setup();
    const marker = join(dir, "marker with 'quotes' $(touch pwned)");
    expect((await link.script(deviceScript('rebooted', marker), { root: false })).stdout).toBe('rebooted\n');
    writeFileSync(marker, '');
    expect((await link.script(deviceScript('rebooted', marker), { root: false })).stdout).toBe('still-up\n');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync('pwned')).toBe(false);
  });

  // The user-data is made root-owned (chown 0:0): that part needs root, as the wizard on a device would have.
  it.skipIf(process.getuid?.() !== 0)('writes a text given as input (a here-document on stdin) byte for byte, never in argv', async () => {
    const { dir, link } = setup();
    const target = join(dir, 'state', 'userdata');
    const text = "#cloud-config\nstylus:\n  site:\n    edgeHostToken: 'se\"cr$(x)`et'\nEOF\n";
    const s = deviceScriptWithInput('writeUserdata', text, target);
    expect(s.command).not.toContain('secr');
    const r = await link.script(s, { root: true });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(text);
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('copies the bundle with progress, continues a .part, checks the sha256 and skips a file already there', async () => {
    const { dir, link } = setup();
    const src = join(dir, 'agent-mode-linux-amd64.tar');
    const data = Buffer.alloc(3 * 2 ** 20, 7);
    writeFileSync(src, data);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const staging = join(dir, 'staging');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(staging);
    writeFileSync(join(staging, 'agent-mode-linux-amd64.tar.part'), data.subarray(0, 2 ** 20));
    const seen: number[] = [];
    const o = {
      localPath: src,
      size: data.length,
      sha256,
      remoteDir: staging,
      remoteName: 'agent-mode-linux-amd64.tar',
      signal: new AbortController().signal,
      onProgress: (p: { bytes: number }) => seen.push(p.bytes),
    };
    const first = await link.upload({ ...o, progressEveryMs: 0 } as never);
    expect(first).toMatchObject({ resumedFrom: 2 ** 20, bytesSent: 2 * 2 ** 20, skipped: false });
    expect(seen.at(-1)).toBe(data.length);
    expect(await link.upload(o)).toMatchObject({ skipped: true, bytesSent: 0 });
    await expect(link.upload({ ...o, sha256: 'a'.repeat(64), remoteName: 'other.tar' })).rejects.toMatchObject({
      message: expect.stringMatching(/copy is damaged/),
    });
  });

  it('reads the section output of a script', async () => {
    const { link } = setup();
    const r = await link.script(deviceScript('firstBoot'), { root: false });
    expect(sections(r.stdout)('uptime')).toMatch(/^\d+(\.\d+)?$/);
  });
});
