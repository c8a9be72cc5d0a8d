/**
 * One measured upload in a plain Node process, as the installer's services run (the browser host, the Electron
 * main process, the CLI), not inside the test runner: vitest's worker costs this code 1.5–2.5 s of CPU per GiB on
 * its own (measured 2026-12-03: the same upload took 2.7–2.9 s of CPU in plain Node and 4.4–5.5 s in vitest).
 * Built and run by bench/upload-child-runner.ts (plain node); prints one JSON line: wall and transfer time, CPU, full
 * collections, peak memory. Its one argument: a JSON UploadChildArgs.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { createServices } from '../main/services/app-services';
import { uploadBundle } from '../main/services/bundle/upload';
import type { UploadChildArgs } from './upload-child-runner';

const a = JSON.parse(process.argv[2]!) as UploadChildArgs;
const services = createServices({ dataDir: a.dataDir, shell: 'browser', emit: () => undefined, knownHostsFiles: [] });
const call = (m: string, input: unknown) => (services.handlers as Record<string, (i: unknown) => Promise<any>>)[m]!(input); // eslint-disable-line @typescript-eslint/no-explicit-any
try {
  const d = await call('devices.add', { connection: { kind: 'ssh', host: a.host, port: 22, user: 'root', auth: 'key', keyPath: a.key } });
  await call('devices.trustHostKey', { id: d.id, hop: 'target', fingerprint: a.fingerprint }).catch(() => undefined);
  let v = await call('devices.connect', { id: d.id, secrets: {} });
  if (v.state === 'needs-trust') {
    await call('devices.trustHostKey', { id: d.id, hop: 'target', fingerprint: v.pendingHostKey.fingerprint });
    v = await call('devices.connect', { id: d.id, secrets: {} });
  }
  if (v.state !== 'connected') throw new Error(`upload-child: ${v.error?.message ?? v.state}`);
  const baselineMb = process.memoryUsage().rss / 2 ** 20;
  // Full collections during the upload (see main/services/v8-tuning.ts): each marks the whole heap.
  let majorGcs = 0;
  const gcs = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
  });
  gcs.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await uploadBundle({
    session: services.devices.session(d.id),
    localPath: a.bundle,
    size: a.size,
    sha256: a.sha256,
    remoteDir: '/var/lib/eai-staging',
    remoteName: a.remoteName,
    method: a.method,
  });
  const ms = performance.now() - t0;
  gcs.disconnect();
  const c = process.cpuUsage(cpu0);
  process.stdout.write(
    JSON.stringify({
      ms,
      cpu: (c.user + c.system) / 1000,
      userMs: c.user / 1000,
      systemMs: c.system / 1000,
      majorGcs,
      transferMs: r.transferMs,
      verifyMs: r.verifyMs,
      peakMb: process.resourceUsage().maxRSS / 1024,
      baselineMb,
      compression: r.compression?.method ?? null,
    }) + '\n',
  );
} finally {
  services.close();
}
