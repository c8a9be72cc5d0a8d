import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'vite';

/** What bench/upload-child.ts takes as its one argument (JSON). */
export interface UploadChildArgs {
  host: string;
  key: string;
  fingerprint: string;
  bundle: string;
  size: number;
  sha256: string;
  method: 'stream' | 'sftp';
  remoteName: string;
  dataDir: string;
}

/** The JSON line bench/upload-child.ts prints. */
export interface UploadChildResult {
  ms: number;
  cpu: number;
  userMs: number;
  systemMs: number;
  majorGcs: number;
  transferMs: number;
  verifyMs: number;
  peakMb: number;
  baselineMb: number;
}

/**
 * Builds bench/upload-child.ts into `outDir` as the app's main process is built (not run through a TypeScript loader:
 * the loader's own module runner held ~90 MB the installer does not). Returns the script to run with plain node.
 */
export async function buildUploadChild(outDir: string): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'warn',
    build: { ssr: 'bench/upload-child.ts', outDir, emptyOutDir: true, target: 'node20', minify: false },
  });
  return join(outDir, 'upload-child.mjs');
}

/** One upload by the built child, in a data folder of its own that is removed afterwards. */
export async function runUploadChild(script: string, args: Omit<UploadChildArgs, 'dataDir'>): Promise<UploadChildResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eai-upload-child-'));
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [script, JSON.stringify({ ...args, dataDir } satisfies UploadChildArgs)],
      {
        maxBuffer: 1 << 20,
      },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as UploadChildResult;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
