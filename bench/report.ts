import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export const BENCH_OUT = process.env.EAI_BENCH_OUT ?? 'test-results/bench.txt';

/** One figure per line, `bench: <name> = <value> <unit> (target <cmp> <value>)`, for people and scripts. */
export function report(name: string, value: number, unit: string, target: { cmp: '<=' | '>=' | '<'; value: number }): string {
  const line = `bench: ${name} = ${value.toFixed(2)} ${unit} (target ${target.cmp} ${target.value})`;
  mkdirSync(dirname(BENCH_OUT), { recursive: true });
  appendFileSync(BENCH_OUT, line + '\n');
  return line;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
