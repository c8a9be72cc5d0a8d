import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../../../common/redact';

/** One line of a run journal: what happened, when, to which device, with which result. */
export interface JournalEvent {
  t: string; // ISO time
  kind: 'run-started' | 'step-started' | 'step-finished' | 'step-failed' | 'command' | 'output' | 'run-finished' | 'device-done';
  deviceId?: string;
  step?: string;
  data?: Record<string, unknown>;
}

/**
 * Every run is an append-only JSON-lines file in the data folder. Lines are written synchronously, so a
 * crash loses at most the line being written; every string goes through the one redaction function.
 */
export class RunJournal {
  readonly file: string;

  constructor(
    dir: string,
    readonly runId: string,
    private readonly secrets: () => (string | undefined)[],
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, `${runId}.jsonl`);
  }

  append(event: Omit<JournalEvent, 't'>): void {
    const line = JSON.stringify({ t: new Date().toISOString(), ...event });
    appendFileSync(this.file, redact(line, this.secrets()) + '\n', { mode: 0o600 });
  }

  static read(dir: string, runId: string): JournalEvent[] {
    const file = join(dir, `${runId}.jsonl`);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as JournalEvent];
        } catch {
          return []; // a torn last line after a crash
        }
      });
  }

  static list(dir: string): string[] {
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -6)).sort() : [];
  }
}
