#!/usr/bin/env node
// `npm run test:faults`: the hardening suite (fault injection through the lab, fuzzed injection on a lab
// device, load), then one row per fault case and the figures:
//   fault: <case> | outcome: <what happened> | lost: none
//   bench: <name> = <value> <unit> (target ...)
// A case that lost anything, a failed test, or no rows at all fail the run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

export function runFaults({ say = (s) => process.stdout.write(s + '\n') } = {}) {
  mkdirSync('test-results', { recursive: true });
  const out = 'test-results/faults.jsonl';
  const json = 'test-results/faults.json';
  rmSync(out, { force: true });
  rmSync(json, { force: true });
  const r = spawnSync(
    'node',
    ['scripts/in-lab.mjs', 'npx', 'vitest', 'run', '--project', 'faults', '--reporter=default', '--reporter=json', `--outputFile=${json}`],
    {
      stdio: 'inherit',
      env: { ...process.env, EAI_FAULTS_OUT: out },
    },
  );
  const rows = existsSync(out)
    ? readFileSync(out, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
  say('\n=== faults');
  const faults = rows.filter((x) => x.type === 'fault');
  for (const f of faults) say(`fault: ${f.fault} | outcome: ${f.outcome} | lost: ${f.lost}`);
  for (const b of rows.filter((x) => x.type === 'bench'))
    say(
      `bench: ${b.name} = ${Number.isInteger(b.value) ? b.value : b.value.toFixed(2)} ${b.unit}${b.target ? ` (target ${b.target})` : ''}`,
    );
  let report = null;
  try {
    report = JSON.parse(readFileSync(json, 'utf8'));
  } catch {
    // the runner crashed before reporting: counted below
  }
  const lostRows = faults.filter((f) => f.lost !== 'none');
  const passed = report?.numPassedTests ?? 0;
  const failed =
    (report ? report.numFailedTests : 1) + (r.status !== 0 && !report?.numFailedTests ? 1 : 0) + lostRows.length + (faults.length ? 0 : 1);
  if (lostRows.length) say(`${lostRows.length} fault case(s) lost something: see "lost" above.`);
  return { passed, failed };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { passed, failed } = runFaults();
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed ? 1 : 0);
}
