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

  // The launch token works once: its page load gives the page a session secret (sessionStorage), sent as a
  // WebSocket subprotocol. No cookie: cookies are not scoped by port, and reached every loopback listener.
  let session = '';
  const proto = (secret: string) => ['eai', `eai-session.${secret}`];

  it('trades the launch token, once, for a session secret in the page; no cookie is set', async () => {
    expect((await get(host.port, '/?token=wrong')).status).toBe(401);
    const first = await get(host.port, `/?token=${host.token}`, { Host: `127.0.0.1:${host.port}` });
    expect(first.status).toBe(200);
    expect(first.headers['set-cookie']).toBeUndefined();
    expect(String(first.headers['content-security-policy'])).not.toMatch(/unsafe-eval/);
    session = /<meta name="eai-session" content="([A-Za-z0-9_-]{43})">/.exec(first.body)![1]!;
    // The address replayed from the history (or by another program) is refused: the token was single-use.
    const again = await get(host.port, `/?token=${host.token}`);
    expect(again.status).toBe(401);
    expect(again.body).toMatch(/already used/);
    expect(again.body).not.toContain(session);
    // The renderer bundle itself loads without a secret, and carries none.
    const page = await get(host.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).not.toMatch(/eai-session/);
  });

  it('a second listener on another loopback port learns nothing: no cookie exists for the browser to send it', async () => {
    const { createServer } = await import('node:http');
    const seen: string[] = [];
    const other = createServer((req, res) => {
      seen.push(JSON.stringify(req.headers));
      res.end('ok');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as { port: number }).port;
    // What a browser would send it after the exchange: any cookie set for 127.0.0.1 (there is none now).
    const cookie = String((await get(host.port, '/')).headers['set-cookie'] ?? '');
    await get(port, '/', cookie ? { Cookie: cookie } : {});
    other.close();
    expect(seen.join('\n')).not.toContain(host.token);
    expect(seen.join('\n')).not.toContain(session);
    expect(seen.join('\n')).not.toMatch(/cookie/i);
  });

  it('refuses a foreign Origin or Host (DNS rebinding)', async () => {
    expect((await get(host.port, '/', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(host.port, '/', { Host: `evil.example:${host.port}` })).status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    expect((await get(host.port, '/..%2f..%2fetc%2fpasswd')).status).toBe(404);
  });

  function wsp(path: string, headers: Record<string, string>, protocols: string[]): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const sock = new WebSocket(`ws://127.0.0.1:${host.port}${path}`, protocols, { headers });
      sock.once('open', () => resolve(sock));
      sock.once('error', reject);
      sock.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    });
  }

  it('carries the contract over the socket only with the session secret and our origin', async () => {
    const origin = `http://127.0.0.1:${host.port}`;
    await expect(ws(host.port, '/api', { Origin: origin })).rejects.toThrow(/refused 403/);
    await expect(ws(host.port, '/api', { Origin: origin, Cookie: `eai_token=${host.token}` })).rejects.toThrow(/refused 403/);
    await expect(wsp('/api', { Origin: origin }, proto('x'.repeat(43)))).rejects.toThrow(/refused 403/);
    await expect(wsp('/api', { Origin: origin }, proto(host.token))).rejects.toThrow(/refused 403/);
    await expect(wsp('/api', { Origin: 'http://evil.example' }, proto(session))).rejects.toThrow(/refused/);
    const sock = await wsp('/api', { Origin: origin }, proto(session));
    expect(sock.protocol).toBe('eai'); // the secret is never echoed back
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
    expect((await get(host.port, '//[')).status).toBe(400);
    expect((await get(host.port, '/%')).status).toBe(400);
    await expect(ws(host.port, '//[', { Origin: `http://127.0.0.1:${host.port}` })).rejects.toThrow(/refused 403/);
    expect((await get(host.port, '/')).status).toBe(200);
  });

  it('a socket error (a message over the size limit, invalid UTF-8) closes that socket only; null is ignored', async () => {
    const origin = `http://127.0.0.1:${host.port}`;
    const open = () => wsp('/api', { Origin: origin }, proto(session));
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
