import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserHost, type BrowserHost } from '../../main/host/browser-host';
import { createServices } from '../../main/services/app-services';

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function ws(port: number, path: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const sock = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    sock.once('open', () => resolve(sock));
    sock.once('error', reject);
    sock.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
  });
}

describe('browser host guard', () => {
  let host: BrowserHost;
  const rendererDir = mkdtempSync(join(tmpdir(), 'eai-r-'));
  beforeAll(async () => {
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>ok</title>');
    const services = createServices({
      dataDir: mkdtempSync(join(tmpdir(), 'eai-d-')),
      shell: 'browser',
      emit: () => undefined,
      knownHostsFiles: [],
    });
    host = await startBrowserHost({ handlers: services.handlers, rendererDir });
  });
  afterAll(() => host.close());

  it('binds loopback only, and refuses to bind anything else', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    await expect(startBrowserHost({ handlers: {} as never, rendererDir, host: '0.0.0.0' as never })).rejects.toThrow(/loopback/);
  });

  it('refuses a request without the token, or with a wrong one', async () => {
    expect((await get(host.port, '/')).status).toBe(401);
    expect((await get(host.port, '/index.html', { Cookie: 'eai_token=wrong' })).status).toBe(401);
    expect((await get(host.port, '/?token=wrong')).status).toBe(401);
  });

  it('trades the token in the URL for an HttpOnly SameSite cookie, then serves', async () => {
    const first = await get(host.port, `/?token=${host.token}`, { Host: `127.0.0.1:${host.port}` });
    expect(first.status).toBe(303);
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await get(host.port, '/', { Cookie: `eai_token=${host.token}` });
    expect(page.status).toBe(200);
    expect(String(page.headers['content-security-policy'])).not.toMatch(/unsafe-eval/);
  });

  it('refuses a foreign Origin or Host (DNS rebinding) even with the token', async () => {
    expect((await get(host.port, '/', { Cookie: `eai_token=${host.token}`, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(host.port, '/', { Cookie: `eai_token=${host.token}`, Host: `evil.example:${host.port}` })).status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    expect((await get(host.port, '/..%2f..%2fetc%2fpasswd', { Cookie: `eai_token=${host.token}` })).status).toBe(404);
  });

  it('carries the contract over the socket only with the token and our origin', async () => {
    const origin = `http://127.0.0.1:${host.port}`;
    await expect(ws(host.port, '/api', { Origin: origin })).rejects.toThrow(/refused 403/);
    await expect(ws(host.port, '/api', { Origin: 'http://evil.example', Cookie: `eai_token=${host.token}` })).rejects.toThrow(/refused/);
    const sock = await ws(host.port, '/api', { Origin: origin, Cookie: `eai_token=${host.token}` });
    const reply = new Promise<Record<string, unknown>>((r) => sock.once('message', (d) => r(JSON.parse(String(d)))));
    sock.send(JSON.stringify({ id: 1, method: 'app.info', input: {} }));
    expect(await reply).toMatchObject({ id: 1, ok: true, value: { shell: 'browser' } });
    const bad = new Promise<Record<string, unknown>>((r) => sock.once('message', (d) => r(JSON.parse(String(d)))));
    sock.send(JSON.stringify({ id: 2, method: 'process.exit', input: {} }));
    expect(await bad).toMatchObject({ id: 2, ok: false, error: { code: 'INVALID_INPUT' } });
    sock.close();
  });

  // Found by a hostile review: each of these ended the process (and every install in flight) before the fix.
  it('no request can end the process: an unparsable path, a bad escape, a malformed upgrade', async () => {
    const cookie = { Cookie: `eai_token=${host.token}` };
    expect((await get(host.port, '//[')).status).toBe(400);
    expect((await get(host.port, '//[', cookie)).status).toBe(400);
    expect((await get(host.port, '/%', cookie)).status).toBe(400);
    await expect(ws(host.port, '//[', { Origin: `http://127.0.0.1:${host.port}` })).rejects.toThrow(/refused 403/);
    expect((await get(host.port, '/', cookie)).status).toBe(200);
  });

  it('a socket error (a message over the size limit, invalid UTF-8) closes that socket only; null is ignored', async () => {
    const origin = `http://127.0.0.1:${host.port}`;
    const open = () => ws(host.port, '/api', { Origin: origin, Cookie: `eai_token=${host.token}` });
    const closed = (sock: WebSocket) => new Promise<number>((r) => sock.once('close', (code) => r(code)));
    const big = await open();
    const bigClosed = closed(big);
    big.send('x'.repeat(1024 * 1024 + 10));
    expect(await bigClosed).toBe(1009);
    const utf = await open();
    const utfClosed = closed(utf);
    utf.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await utfClosed).toBe(1007);
    const sock = await open();
    sock.send('null');
    const reply = new Promise<Record<string, unknown>>((r) => sock.once('message', (d) => r(JSON.parse(String(d)))));
    sock.send(JSON.stringify({ id: 3, method: 'app.info', input: {} }));
    expect(await reply).toMatchObject({ id: 3, ok: true });
    sock.close();
  });
});

describe('the data folder', () => {
  it('is made 0700 at every start, even when it existed with another mode', async () => {
    const { chmodSync, statSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'eai-dd-'));
    chmodSync(dir, 0o777);
    createServices({ dataDir: dir, shell: 'browser', emit: () => undefined, knownHostsFiles: [] }).close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
  it.skipIf(process.getuid?.() !== 0)('is refused when another user owns it', async () => {
    const { chownSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'eai-dd-'));
    chownSync(dir, 65534, 65534);
    expect(() => createServices({ dataDir: dir, shell: 'browser', emit: () => undefined, knownHostsFiles: [] })).toThrow(
      /belongs to another user/,
    );
  });
});
