import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where fault rows and figures go; `scripts/faults.mjs` prints them as the table of `npm run test:faults`. */
export const FAULTS_OUT = process.env.EAI_FAULTS_OUT ?? 'test-results/faults.jsonl';

/** One fault case: what was done to the device, what the installer did, and what (if anything) was lost. */
export function recordFault(fault: string, outcome: string, lost: string[] = []): void {
  mkdirSync(dirname(FAULTS_OUT), { recursive: true });
  appendFileSync(FAULTS_OUT, JSON.stringify({ type: 'fault', fault, outcome, lost: lost.length ? lost.join('; ') : 'none' }) + '\n');
}

/** A figure, printed in the same format as `npm run bench`. */
export function recordFigure(name: string, value: number, unit: string, target?: string): void {
  mkdirSync(dirname(FAULTS_OUT), { recursive: true });
  appendFileSync(FAULTS_OUT, JSON.stringify({ type: 'bench', name, value, unit, target }) + '\n');
}
