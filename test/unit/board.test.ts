import { describe, expect, it } from 'vitest';
import { boardRows, consoleChecklist, runEta } from '../../common/install/board';
import type { RunView } from '../../common/install/model';
import { defaultSite } from '../../common/site/model';

const run = (devices: RunView['devices']): RunView => ({
  runId: 'r',
  method: 'reboot',
  startedAt: '2026-12-02T10:00:00Z',
  bundle: { fileName: 'a.tar', sha256: 'x', size: 1, arch: 'amd64' },
  devices,
  finished: false,
});

describe('fleet board', () => {
  it('one segment per phase: done, current, failed, waiting; speed and ETA while uploading; the run waits for the slowest', () => {
    const rows = boardRows(
      run([
        { deviceId: 'a', phase: 'upload', log: [], progress: { bytes: 10, total: 100, rateBytesPerSec: 10 * 2 ** 20, etaSeconds: 30 } },
        { deviceId: 'b', phase: 'upload', log: [], progress: { bytes: 50, total: 100, rateBytesPerSec: 2 ** 20, etaSeconds: 95 } },
        { deviceId: 'c', phase: 'failed', failedStep: 'reconnect', log: [] },
        { deviceId: 'd', phase: 'done', log: [] },
      ]),
    );
    expect(rows[0]!.segments.map((s) => s.state).slice(0, 3)).toEqual(['current', 'waiting', 'waiting']);
    expect(rows[0]!.speed).toBe('10.0 MiB/s');
    expect(rows[2]!.segments.find((s) => s.phase === 'reconnect')!.state).toBe('failed');
    expect(rows[2]!.segments.filter((s) => s.state === 'done').map((s) => s.phase)).toEqual([
      'upload',
      'stage',
      'apply',
      'userdata',
      'reboot',
    ]);
    expect(rows[2]!.attention).toBe(true);
    expect(rows[3]!.segments.every((s) => s.state === 'done')).toBe(true);
    expect(runEta(rows)).toBe(95);
  });

  it('a device that did not come back after its reboot gets a console checklist, naming the address it should have', () => {
    const site = defaultSite();
    site.devices.c = {
      hostName: '',
      edgeHostName: '',
      nic: { name: 'eth0', mode: 'static', address: '10.0.0.50/24', gateway: '10.0.0.1', dns: [] },
    };
    const list = consoleChecklist({ deviceId: 'c', phase: 'failed', failedStep: 'reconnect', log: [] }, site, '10.0.0.12')!;
    expect(list.join('\n')).toMatch(/systemctl status spectro-init/);
    expect(list.join('\n')).toMatch(/the site gives it 10\.0\.0\.50; the wizard tried it and 10\.0\.0\.12/);
    expect(consoleChecklist({ deviceId: 'c', phase: 'failed', failedStep: 'verify', log: [] }, site, '10.0.0.12')).toBeNull();
  });
});

describe('fleet board of an upgrade', () => {
  it("follows each device's own path: the reinstall's phases for one, the replacement's for another", async () => {
    const { upgradeBoardRows } = await import('../../common/install/board');
    const base = { label: 'x', leader: false, installed: null, log: [] };
    const rows = upgradeBoardRows({
      runId: 'u',
      startedAt: '',
      bundle: { fileName: 'a', sha256: 'x', size: 1, arch: 'amd64' },
      stage: 'running',
      target: { version: '4.9.12', fips: false, build: null },
      devices: [
        { ...base, deviceId: 'a', phase: 'uninstall', path: 'reinstall' },
        { ...base, deviceId: 'b', phase: 'rolled-back', failedStep: 'verify', path: 'replace' },
        { ...base, deviceId: 'c', phase: 'skipped', path: 'palette' },
      ],
    });
    expect(rows.map((r) => r.deviceId)).toEqual(['a', 'b']);
    expect(rows[0]!.segments.map((s) => s.phase)).toContain('uninstall');
    expect(rows[0]!.segments.find((s) => s.phase === 'uninstall')!.state).toBe('current');
    expect(rows[1]!.segments.map((s) => s.phase)).not.toContain('uninstall');
    expect(rows[1]!.attention).toBe(true);
  });
});
