#!/usr/bin/env node
// `npm run bench`: speed and memory figures measured as ratios against a baseline in the same run,
// against lab devices. Prints each figure as `bench: <name> = <value> <unit> (target <cmp> <value>)`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';

const out = 'test-results/bench.txt';
mkdirSync('test-results', { recursive: true });
rmSync(out, { force: true });
// The 64-device visit drives the built window (out/): build it from this checkout first, never measure a stale one.
const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync('node', ['scripts/in-lab.mjs', 'npx', 'vitest', 'run', '--project', 'bench', '--reporter=dot'], {
  stdio: 'inherit',
  env: { ...process.env, EAI_BENCH_OUT: out },
});
process.stdout.write('\n');
if (existsSync(out)) process.stdout.write(readFileSync(out, 'utf8'));
process.exit(r.status ?? 1);
