import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactDeep } from '../../../common/redact';
import type { JournalEvent } from '../../../common/install/model';

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
    // Each string is redacted before serialising: in JSON text a secret with a quote would be escaped and missed.
    const line = JSON.stringify(redactDeep({ t: new Date().toISOString(), ...event }, this.secrets()));
    appendFileSync(this.file, line + '\n', { mode: 0o600 });
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

  /** The journal as written (already redacted), for support bundles; empty when there is none. */
  static text(dir: string, runId: string): string {
    const file = join(dir, `${runId}.jsonl`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  static list(dir: string): string[] {
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -6)).sort() : [];
  }
}
