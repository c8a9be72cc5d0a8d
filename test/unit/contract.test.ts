import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { contract, eventNames, IPC_PREFIX, methodNames } from '../../common/contract';
import { createServices } from '../../main/services/app-services';
import { buildPreloadApi } from '../../preload/api';
import { createClient } from '../../renderer/src/api/client';

const handlersByChannel = new Map<string, (event: unknown, input: unknown) => Promise<unknown>>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, input: unknown) => Promise<unknown>) => handlersByChannel.set(channel, fn),
    removeHandler: (channel: string) => handlersByChannel.delete(channel),
  },
}));

const services = () =>
  createServices({ dataDir: mkdtempSync(join(tmpdir(), 'eai-c-')), shell: 'browser', emit: () => undefined, knownHostsFiles: [] });

describe('one contract, every side derived from it', () => {
  it('the services implement every method and nothing else', () => {
    expect(Object.keys(services().handlers).sort()).toEqual([...methodNames].sort());
  });

  it('the preload exposes one function per method on its own channel, and only known events', async () => {
    const calls: string[] = [];
    const api = buildPreloadApi({ invoke: async (ch) => calls.push(ch), on: () => undefined, removeListener: () => undefined });
    expect(Object.keys(api.invoke).sort()).toEqual([...methodNames].sort());
    for (const name of methodNames) await api.invoke[name]!({});
    expect(calls).toEqual(methodNames.map((n) => IPC_PREFIX + n));
    for (const e of eventNames) expect(() => api.on(e, () => undefined)).not.toThrow();
    expect(() => api.on('raw' as never, () => undefined)).toThrow(/Unknown event/);
  });

  it('the renderer client has every method and turns errors into ApiError with the fix', async () => {
    const client = createClient({
      call: async (method) =>
        method === 'app.info' ? { ok: true, value: 'info' } : { ok: false, error: { code: 'NOT_FOUND', message: 'gone', fix: 'do x' } },
      on: () => () => undefined,
    });
    for (const name of methodNames) expect(typeof client[name]).toBe('function');
    expect(await client['app.info']({})).toBe('info');
    await expect(client['visit.get']({})).rejects.toMatchObject({ message: 'gone', fix: 'do x', code: 'NOT_FOUND' });
  });

  it('the Electron IPC binding registers every method, refuses sub-frames and foreign origins, parses arguments', async () => {
    const { bindIpc } = await import('../../main/platform/ipc');
    bindIpc(services().handlers, (url) => url.startsWith('file:///app/'));
    expect([...handlersByChannel.keys()].sort()).toEqual(methodNames.map((n) => IPC_PREFIX + n).sort());
    const main = { url: 'file:///app/index.html', parent: null };
    const ok = { senderFrame: main, sender: { mainFrame: main } };
    const call = (event: unknown, name: string, input: unknown) => handlersByChannel.get(IPC_PREFIX + name)!(event, input);

    expect(await call(ok, 'app.info', {})).toMatchObject({ ok: true, value: { shell: 'browser' } });
    const sub = { url: 'file:///app/index.html', parent: main };
    expect(await call({ senderFrame: sub, sender: { mainFrame: main } }, 'app.info', {})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    const foreign = { url: 'https://evil.example/', parent: null };
    expect(await call({ senderFrame: foreign, sender: { mainFrame: foreign } }, 'app.info', {})).toMatchObject({ ok: false });
    const bad = await call(ok, 'devices.add', { connection: { kind: 'ssh', host: 'a b', port: 22, user: 'root', auth: 'password' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', data: { field: 'connection.host' } } });
    expect(await call(ok, 'app.info', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('every method declares an input schema', () => {
    for (const name of methodNames) expect(typeof contract[name].input.safeParse).toBe('function');
  });
});
