import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiHandlers, EventName, EventPayload } from '../../common/contract';
import { dispatch } from '../services/dispatch';

/**
 * Serves the built renderer on 127.0.0.1 and carries the contract over a WebSocket.
 * The launch token in the printed address works once: that first page load trades it for a session secret
 * the page keeps in sessionStorage (scoped to this origin, port included) and sends as a WebSocket
 * subprotocol. No cookie is set: cookies are not scoped by port, so one would reach every program listening
 * on another loopback port. A replayed history address and a socket without the secret are refused. The
 * static files (the renderer bundle, nothing secret) load without it; a foreign Host or Origin is refused
 * everywhere, which also stops DNS rebinding.
 */
export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  broadcast<E extends EventName>(event: E, payload: EventPayload<E>): void;
  close(): Promise<void>;
}

export interface BrowserHostOptions {
  handlers: ApiHandlers;
  rendererDir: string;
  port?: number; // 0 = any free port
  host?: '127.0.0.1' | '::1';
  token?: string;
}

const SESSION_PROTOCOL = 'eai-session.';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const bindHost = opts.host ?? '127.0.0.1';
  if (bindHost !== '127.0.0.1' && bindHost !== '::1') throw new Error('The browser host only binds a loopback address.');
  const token = opts.token ?? randomBytes(32).toString('base64url');
  let tokenUsed = false;
  const sessions = new Set<string>();
  const sockets = new Set<WebSocket>();
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const originOk = (origin: string | undefined) => origin === undefined || [...allowedHosts()].some((h) => origin === `http://${h}`);
  const hostOk = (host: string | undefined) => !!host && allowedHosts().has(host.toLowerCase());
  /** The session secret a socket offers as its subprotocol `eai-session.<secret>`. */
  const sessionOk = (req: IncomingMessage) => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .find((p) => p.startsWith(SESSION_PROTOCOL));
    const secret = offered?.slice(SESSION_PROTOCOL.length) ?? '';
    return !!secret && [...sessions].some((s) => safeEqual(s, secret));
  };

  // Host and Origin are checked before anything of the request is parsed, and no request can end the
  // process: a path such as `//[` makes new URL() throw, which once took every install in flight with it.
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      if (!res.headersSent) refuse(res, 400, 'Bad request.');
      else res.destroy();
    }
  });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (!hostOk(req.headers.host) || !originOk(req.headers.origin as string | undefined))
      return refuse(res, 403, 'Foreign Host or Origin.');
    const url = parseUrl(req.url);
    if (!url) return refuse(res, 400, 'Bad request.');
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (tokenUsed || !safeEqual(given, token))
        return refuse(
          res,
          401,
          tokenUsed && safeEqual(given, token)
            ? 'This address was already used: its token works once. Use the window it first opened in, or restart the app for a new address.'
            : 'This page needs the address printed when the app started (it carries a token).',
        );
      tokenUsed = true;
      const session = randomBytes(32).toString('base64url');
      sessions.add(session);
      // The page reads the secret, keeps it in sessionStorage and drops the token from the address.
      return serveStatic(opts.rendererDir, '/index.html', res, `<meta name="eai-session" content="${session}">`);
    }
    serveStatic(opts.rendererDir, url.pathname, res);
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
    // The session secret rides as a subprotocol; the one echoed back is the plain name, never the secret.
    handleProtocols: (protocols) => (protocols.has('eai') ? 'eai' : false),
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const ok = hostOk(req.headers.host) && originOk(req.headers.origin);
    const url = ok ? parseUrl(req.url) : null;
    if (!url || url.pathname !== '/api' || !sessionOk(req)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // A socket error (an oversized frame, invalid UTF-8) closes that socket, never the process.
      ws.on('error', () => ws.terminate());
      ws.on('message', (data) => {
        let msg: { id?: unknown; method?: unknown; input?: unknown } | null;
        try {
          msg = JSON.parse(String(data)) as typeof msg;
        } catch {
          return;
        }
        if (!msg || typeof msg !== 'object') return;
        const id = msg.id;
        // dispatch turns every handler error into a result: nothing here can reject.
        void dispatch(opts.handlers, msg.method, msg.input).then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, ...result }));
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bindHost, () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const hostPart = bindHost === '::1' ? '[::1]' : bindHost;

  return {
    url: `http://${hostPart}:${port}/?token=${token}`,
    port,
    token,
    broadcast(event, payload) {
      const text = JSON.stringify({ event, payload });
      for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The request's URL, or null when it cannot be parsed (never a throw). */
function parseUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://x');
  } catch {
    return null;
  }
}

function serveStatic(root: string, pathname: string, res: ServerResponse, headInsert?: string): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return refuse(res, 400, 'Bad request.'); // `GET /%`
  }
  const rel = normalize(decoded).replace(/^([/\\])+/, '');
  const file = join(root, rel);
  if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) return refuse(res, 404, 'Not found.');
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    // Same policy as the Electron window, plus the socket back to this host.
    'Content-Security-Policy':
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  });
  if (headInsert) {
    const html = readFileSync(file, 'utf8');
    res.end(/<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (m) => m + headInsert) : headInsert + html);
    return;
  }
  createReadStream(file).pipe(res);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(message + '\n');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
