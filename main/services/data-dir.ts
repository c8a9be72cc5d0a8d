import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where pins, the visit and run journals live when Electron's userData is not available. */
export function defaultDataDir(): string {
  const dir = process.env.EAI_DATA_DIR || join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'edge-agent-installer');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
