import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventName, EventPayload, MethodName, MethodInput, MethodOutput } from '../../common/contract';
import { createServices, type Services } from '../../main/services/app-services';
import { dispatch } from '../../main/services/dispatch';
import { chromiumPdfPrinter } from '../../main/services/report/pdf-chromium';

/** The real services, as the browser host or Electron would build them, with events recorded. */
export function servicesForTest(opts: { knownHostsFiles?: string[]; rebootTimeoutMs?: number; dataDir?: string } = {}) {
  // A given data folder outlives the services (another process uses it next); a temporary one does not.
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'eai-data-'));
  const events: { event: EventName; payload: unknown }[] = [];
  let onEvent: (<E extends EventName>(e: E, p: EventPayload<E>) => void) | null = null;
  const services: Services = createServices({
    dataDir,
    shell: 'browser',
    knownHostsFiles: opts.knownHostsFiles ?? [],
    readyTimeoutMs: 8000,
    rebootTimeoutMs: opts.rebootTimeoutMs,
    // A failing agent in the lab fails for good: no need to wait the minute and a half a real one may take.
    verifyTimeoutMs: 12_000,
    clusterVerifyPollMs: 1000,
    pdfPrinter: chromiumPdfPrinter(),
    emit: (event, payload) => {
      events.push({ event, payload });
      onEvent?.(event, payload);
    },
  });
  /** Calls through the same dispatch as IPC and the WebSocket (schema parsing included). */
  async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    const result = await dispatch(services.handlers, method, input);
    if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
    return result.value as MethodOutput<M>;
  }
  /** Adds a device, confirms its host key on first use and connects: the usual start of a lab test. */
  async function addTrusted(connection: MethodInput<'devices.add'>['connection'], secrets: MethodInput<'devices.connect'>['secrets'] = {}) {
    const d = await call('devices.add', { connection });
    const first = await call('devices.connect', { id: d.id, secrets });
    if (first.pendingHostKey)
      await call('devices.trustHostKey', { id: d.id, hop: first.pendingHostKey.hop, fingerprint: first.pendingHostKey.fingerprint });
    const view = await call('devices.connect', { id: d.id, secrets });
    if (view.state !== 'connected')
      throw new Error(`lab: ${connection.kind === 'ssh' ? connection.host : 'local'} did not connect: ${view.error?.message}`);
    return view;
  }
  /** Root on a lab device with the lab's client key. */
  const addRoot = (dev: { address: string }, keyPath: string) =>
    addTrusted({ kind: 'ssh', host: dev.address, port: 22, user: 'root', auth: 'key', keyPath });
  /** Reads a device and overrides each block that may be overridden: lab devices are small (2 cores). */
  async function readAndClear(deviceId: string) {
    await call('hardware.probe', { id: deviceId });
    const checks = await call('checks.evaluate', {});
    for (const r of checks.devices.find((d) => d.deviceId === deviceId)?.results ?? []) {
      if (r.status === 'block' && r.overridable && !r.override)
        await call('checks.override', {
          deviceId,
          checkId: r.id,
          reason: 'Lab device: a namespace on a two-core test machine',
          technician: 'Lab',
        });
    }
  }
  return {
    readAndClear,
    addTrusted,
    addRoot,
    userData: (deviceId: string) => services.site.userDataFor(deviceId),
    session: (deviceId: string) => services.devices.session(deviceId),
    /** The run engine's user-data write, through the device's link. */
    writeUserData: async (deviceId: string, text: string) => {
      const { writeUserData } = await import('../../main/services/site/write-userdata');
      await writeUserData(services.linkFor(deviceId), text);
    },
    dataDir,
    events,
    call,
    setOnEvent: (fn: typeof onEvent) => (onEvent = fn),
    close() {
      services.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
