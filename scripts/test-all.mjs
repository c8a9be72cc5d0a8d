#!/usr/bin/env node
// `npm test`: every layer — type check and lint, unit, lab integration (real sshd devices) and e2e
// (Chromium through the browser host) — then one closing line "<N> passed, <M> failed" for the run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureSystemDeps } from './system-deps.mjs';
import { runFaults } from './faults.mjs';

const results = [];
const say = (s) => process.stdout.write(s + '\n');

function step(name, cmd, args, env = {}) {
  say(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

function vitestLayer(layer, viaLab) {
  const out = `test-results/${layer}.json`;
  rmSync(out, { force: true });
  const args = ['vitest', 'run', '--project', layer, '--reporter=default', '--reporter=json', `--outputFile=${out}`];
  const ok = viaLab ? step(layer, 'node', ['scripts/in-lab.mjs', 'npx', ...args]) : step(layer, 'npx', args);
  const json = readJson(out);
  const passed = json?.numPassedTests ?? 0;
  // A layer that crashed before reporting counts as one failure, never as silence.
  const failed = json ? json.numFailedTests + (ok || json.numFailedTests ? 0 : 1) : 1;
  results.push({ layer, passed, failed, skipped: json?.numPendingTests ?? 0 });
}

function e2eLayer() {
  const out = 'test-results/e2e.json';
  rmSync(out, { force: true });
  const ok = step('e2e', 'node', ['scripts/in-lab.mjs', 'npx', 'playwright', 'test'], { EAI_SKIP_BUILD: '1' });
  const stats = readJson(out)?.stats;
  const passed = stats ? stats.expected + stats.flaky : 0;
  const failed = stats ? stats.unexpected + (ok || stats.unexpected ? 0 : 1) : 1;
  if (stats?.flaky) say(`e2e: ${stats.flaky} test(s) passed only on retry (flaky): see the list above.`);
  results.push({ layer: 'e2e', passed, failed, skipped: stats?.skipped ?? 0 });
}

mkdirSync('test-results', { recursive: true });
if (!existsSync('node_modules')) step('install', 'npm', ['ci']);
const depsOk = ensureSystemDeps({ log: say });

const checks =
  step('typecheck', 'npm', ['run', '-s', 'typecheck']) &&
  step('format', 'npx', ['prettier', '--check', '.']) &&
  step('lint', 'npx', ['eslint', '.']) &&
  step('security', 'node', ['scripts/security.mjs']);
results.push({ layer: 'static', passed: checks ? 1 : 0, failed: checks ? 0 : 1, skipped: 0 });
const built = step('build', 'npx', ['electron-vite', 'build']);
results.push({ layer: 'build', passed: built ? 1 : 0, failed: built ? 0 : 1, skipped: 0 });

vitestLayer('unit', false);
if (!depsOk || process.getuid?.() !== 0) {
  say('\nThe lab and e2e layers need root and the Debian packages above; they were not run and count as failed.');
  results.push(
    { layer: 'lab', passed: 0, failed: 1, skipped: 0 },
    { layer: 'faults', passed: 0, failed: 1, skipped: 0 },
    { layer: 'e2e', passed: 0, failed: 1, skipped: 0 },
  );
} else {
  vitestLayer('lab', true);
  say('\n=== faults: node scripts/faults.mjs');
  results.push({ layer: 'faults', ...runFaults({ say }), skipped: 0 });
  if (built) e2eLayer();
  else results.push({ layer: 'e2e', passed: 0, failed: 1, skipped: 0 });
}

say('\n=== summary');
for (const r of results)
  say(`  ${r.layer.padEnd(7)} layer — ${r.passed} ok, ${r.failed} not ok${r.skipped ? `, ${r.skipped} skipped` : ''}`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
say(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
