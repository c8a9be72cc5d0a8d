import { createRequire } from 'node:module';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { CompressionSample } from '../../../common/upload/compression';

/**
 * zstd compression for the upload, in a worker thread so the services' event loop (the SSH socket, the window's
 * WebSocket) never waits on it. The binding is @bokuweb/zstd-wasm: WebAssembly, so it needs no native build and
 * runs the same on every laptop the Electron app ships to. Each piece is compressed as its own zstd frame; the
 * device's `zstd -d` reads concatenated frames as one stream, so a resumed upload starts a new frame anywhere.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const z = require(workerData.module);
const ready = z.init();
parentPort.on('message', async ({ id, buf, level }) => {
  try {
    await ready;
    const t0 = performance.now();
    // A copy: the result is a view into the WebAssembly heap, which must not be transferred away.
    const out = new Uint8Array(z.compress(new Uint8Array(buf), level));
    parentPort.postMessage({ id, out, ms: performance.now() - t0 }, [out.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

/** zstd's default level: at level 1 the ratio is ~10 % worse for ~50 % more speed, and the link is the limit here. */
export const ZSTD_LEVEL = 3;

export class ZstdCompressor {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (b: { out: Buffer; ms: number }) => void; reject: (e: Error) => void }>();
  private next = 0;
  private failed: Error | null = null;

  constructor(private readonly level = ZSTD_LEVEL) {
    const module = createRequire(import.meta.url).resolve('@bokuweb/zstd-wasm');
    this.worker = new Worker(WORKER, { eval: true, workerData: { module } });
    this.worker.unref();
    this.worker.on('message', (m: { id: number; out?: Uint8Array; ms?: number; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.error !== undefined) p.reject(new Error(`zstd: ${m.error}`));
      else p.resolve({ out: Buffer.from(m.out!.buffer, m.out!.byteOffset, m.out!.byteLength), ms: m.ms ?? 0 });
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`zstd: the worker ended (${code})`)));
  }

  /** Compresses one piece into one frame. `raw` is handed to the worker (do not use it afterwards). */
  compress(raw: Buffer): Promise<{ out: Buffer; ms: number }> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.next++;
    // A buffer of its own (not a slice of Node's pool), so it can be transferred rather than copied.
    const own = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength ? raw : Buffer.from(raw);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, buf: own.buffer, level: this.level }, [own.buffer as ArrayBuffer]);
    });
  }

  close(): Promise<number> {
    this.failed ??= new Error('zstd: closed');
    return this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/**
 * How well the rest of the file compresses and how fast this laptop does it: twelve 1 MiB samples spread over
 * [start, size) (about 0.1 s of the worker's time). A bundle mixes binaries (which compress) with images and
 * archives (which do not), so a few samples would mislead: four once read 24 % of a bundle that compresses to 51 %.
 */
const SAMPLES = 12;

export async function sampleCompression(z: ZstdCompressor, path: string, start: number, size: number): Promise<CompressionSample | null> {
  const piece = 2 ** 20;
  const span = size - start;
  if (span < piece) return null;
  const fh = await open(path, 'r');
  try {
    let raw = 0;
    let packed = 0;
    let ms = 0;
    const n = Math.min(SAMPLES, Math.floor(span / piece));
    for (let i = 0; i < n; i++) {
      const at = start + Math.floor(((span - piece) * i) / Math.max(1, n - 1));
      const buf = Buffer.allocUnsafeSlow(piece);
      const { bytesRead } = await fh.read(buf, 0, piece, at);
      const r = await z.compress(buf.subarray(0, bytesRead));
      raw += bytesRead;
      packed += r.out.length;
      ms += r.ms;
    }
    return { ratio: packed / raw, bytesPerSec: (raw / Math.max(ms, 0.001)) * 1000 };
  } finally {
    await fh.close();
  }
}
