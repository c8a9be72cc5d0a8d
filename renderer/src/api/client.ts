import { methodNames, type Api, type EventName, type EventPayload, type MethodName, type Result } from '../../../common/contract';
import type { AppErrorShape } from '../../../common/errors';

/** An error from the services, carrying the code, the fix and the device's output. */
export class ApiError extends Error implements AppErrorShape {
  constructor(readonly shape: AppErrorShape) {
    super(shape.message);
  }
  get code() {
    return this.shape.code;
  }
  get fix() {
    return this.shape.fix;
  }
  get detail() {
    return this.shape.detail;
  }
}

/** What went wrong and what to do, in one line for a message next to the field. */
export function errorText(err: unknown): string {
  return err instanceof ApiError ? `${err.message} ${err.fix}` : String(err);
}

export interface Transport {
  call(method: MethodName, input: unknown): Promise<Result<unknown>>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}

export type Client = Api & { on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void };

/** The renderer's client, derived from the contract by iteration: one function per method. */
export function createClient(transport: Transport): Client {
  const api = Object.fromEntries(
    methodNames.map((name) => [
      name,
      async (input: unknown) => {
        const result = await transport.call(name, input ?? {});
        if (!result.ok) throw new ApiError(result.error);
        return result.value;
      },
    ]),
  ) as Api;
  return { ...api, on: (event, listener) => transport.on(event, listener as (p: unknown) => void) };
}

interface PreloadApi {
  invoke: Record<string, (input: unknown) => Promise<Result<unknown>>>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}

export function electronTransport(preload: PreloadApi): Transport {
  return {
    call: (method, input) => preload.invoke[method]!(input),
    on: (event, listener) => preload.on(event, listener),
  };
}

/** The browser host: JSON messages over one WebSocket; the token travels in the host's cookie. */
export function webSocketTransport(url: string, protocols: string[] = []): Transport {
  let ws: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();

  const open = (): Promise<WebSocket> => {
    if (ws && ws.readyState === WebSocket.OPEN) return Promise.resolve(ws);
    if (opening) return opening;
    opening = new Promise((resolve, reject) => {
      const sock = new WebSocket(url, protocols);
      sock.onopen = () => {
        ws = sock;
        opening = null;
        resolve(sock);
      };
      sock.onerror = () => {
        opening = null;
        reject(
          new ApiError({
            code: 'NOT_CONNECTED',
            message: 'The window lost its link to the installer service.',
            fix: 'Check that the installer is still running, then reload this page.',
          }),
        );
      };
      sock.onclose = () => {
        ws = null;
        for (const [id, resolveCall] of pending) {
          pending.delete(id);
          resolveCall({
            ok: false,
            error: {
              code: 'NOT_CONNECTED',
              message: 'The installer service closed the connection.',
              fix: 'Check that it is still running, then reload this page.',
            },
          });
        }
      };
      sock.onmessage = (msg) => {
        const data = JSON.parse(String(msg.data)) as { id?: number; event?: string; payload?: unknown } & Result<unknown>;
        if (typeof data.event === 'string') {
          listeners.get(data.event)?.forEach((l) => l(data.payload));
        } else if (typeof data.id === 'number') {
          pending.get(data.id)?.(data);
          pending.delete(data.id);
        }
      };
    });
    return opening;
  };

  return {
    async call(method, input) {
      const sock = await open();
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        sock.send(JSON.stringify({ id, method, input }));
      });
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      void open().catch(() => undefined);
      return () => listeners.get(event)?.delete(listener);
    },
  };
}

export function defaultClient(): Client {
  const preload = (globalThis as { edgeApi?: PreloadApi }).edgeApi;
  if (preload) return createClient(electronTransport(preload));
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return createClient(webSocketTransport(`${proto}//${location.host}/api`, ['eai', `eai-session.${browserSession()}`]));
}

/**
 * The browser host gives the page its session secret once, in a meta tag of the first load (for the launch
 * token, which then no longer works). It is kept in sessionStorage — this tab, this origin and port only —
 * and the token is dropped from the address so the history never holds it.
 */
function browserSession(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="eai-session"]');
  if (meta) {
    sessionStorage.setItem('eai-session', meta.content);
    meta.remove();
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem('eai-session') ?? 'none';
}
