import { eventNames, IPC_PREFIX, methodNames, type EventName } from '../common/contract';

interface IpcLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** What the preload exposes, derived from the contract by iteration (tested against the contract). */
export function buildPreloadApi(ipc: IpcLike) {
  const invoke = Object.fromEntries(methodNames.map((name) => [name, (input: unknown) => ipc.invoke(IPC_PREFIX + name, input)]));
  return {
    invoke,
    on(event: EventName, listener: (payload: unknown) => void): () => void {
      if (!eventNames.includes(event)) throw new Error(`Unknown event ${String(event)}`);
      const wrapped = (_e: unknown, name: unknown, payload: unknown) => {
        if (name === event) listener(payload);
      };
      ipc.on(IPC_PREFIX + 'event', wrapped);
      return () => ipc.removeListener(IPC_PREFIX + 'event', wrapped);
    },
  };
}
