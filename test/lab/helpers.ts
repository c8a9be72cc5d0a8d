import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventName, EventPayload, MethodName, MethodInput, MethodOutput } from '../../common/contract';
import { createServices, type Services } from '../../main/services/app-services';
import { dispatch } from '../../main/services/dispatch';

/** The real services, as the browser host or Electron would build them, with events recorded. */
export function servicesForTest(opts: { knownHostsFiles?: string[] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'eai-data-'));
  const events: { event: EventName; payload: unknown }[] = [];
  let onEvent: (<E extends EventName>(e: E, p: EventPayload<E>) => void) | null = null;
  const services: Services = createServices({
    dataDir,
    shell: 'browser',
    knownHostsFiles: opts.knownHostsFiles ?? [],
    readyTimeoutMs: 8000,
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
  return {
    userData: (deviceId: string) => services.site.userDataFor(deviceId),
    session: (deviceId: string) => services.devices.session(deviceId),
    /** The install engine's write, for tests until the engine lands. */
    writeUserData: async (deviceId: string, text: string) => {
      const { writeUserData } = await import('../../main/services/site/write-userdata');
      const view = (await call('visit.get', {})).devices.find((d) => d.id === deviceId)!;
      await writeUserData(services.devices.session(deviceId), text, view.privilege === 'root');
    },
    dataDir,
    events,
    call,
    setOnEvent: (fn: typeof onEvent) => (onEvent = fn),
    close() {
      services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
