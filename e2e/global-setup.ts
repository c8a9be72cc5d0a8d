import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The e2e suite tests the built app: build it unless the caller already did (test-all builds once). */
export default function globalSetup(): void {
  if (process.env.EAI_SKIP_BUILD === '1' && existsSync('out/main/web.js')) return;
  execFileSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
}
