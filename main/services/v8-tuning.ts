import { setFlagsFromString } from 'node:v8';

/**
 * V8's settings for a process that streams bundles: ArrayBuffers freed by a young-generation collection are
 * swept at once, on the main thread, rather than by a background task.
 *
 * Why: every 32 KiB SSH packet ssh2 sends was a fresh Buffer, so an upload allocated its own size again in
 * ArrayBuffers (now mostly reused, see ssh/packet-reuse.ts; this still covers whatever else streams). V8 starts a full mark-compact whenever the ArrayBuffer memory it counts grows past a limit
 * ("external memory allocation limit reached", nodejs/node#1671), and with background sweeping the freed
 * packets are counted as gone only once that task has run — which, on a laptop whose cores are busy with the
 * upload, is late. Measured 2026-12-03, 1 GiB streamed into a lab device from the installer's process: 38–77
 * mark-compacts per upload and 3.5–4.7 s of CPU with the default; 1 mark-compact and 2.5–3.0 s with this
 * (OpenSSH's client, same device command: 2.3–2.4 s). Sweeping a young generation's ArrayBuffers costs the main
 * thread little: they are what the scavenger just found dead.
 *
 * Set once, at the start of the process's services: V8 reads this flag each time it sweeps, so setting it after
 * start is safe (unlike the concurrent-marking flags, which V8 reads once when it sets the heap up).
 */
export function tuneV8ForStreaming(): void {
  setFlagsFromString('--no-concurrent-array-buffer-sweeping');
}
