#!/usr/bin/env node
// `npm start`: the desktop app. Where the Electron runtime is not installed (it cannot be downloaded on
// every machine), say so in one line and start the browser host instead.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const r = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

let electronPath = null;
try {
  electronPath = createRequire(import.meta.url)('electron'); // the runtime's path, or throws without it
} catch {
  electronPath = null;
}
if (typeof electronPath === 'string') {
  const child = spawn(electronPath, ['.'], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    'The Electron runtime is not installed here (set ELECTRON_OVERRIDE_DIST_PATH to use one); starting the browser host instead.',
  );
  const child = spawn(process.execPath, ['out/main/web.js'], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
