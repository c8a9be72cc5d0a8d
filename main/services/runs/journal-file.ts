import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactDeep } from '../../../common/redact';
import { parseJournal, type JournalLine, type NewJournalLine } from '../../../common/runs/journal';

/**
 * Every run is an append-only JSON-lines file in the data folder (runs/<runId>.jsonl), typed by
 * common/runs/journal.ts. Lines are written synchronously, so a crash loses at most the line being
 * written; every string goes through the one redaction function before it is serialised. The lines
 * written are also kept in memory: the engine decides each next phase from them.
 */
export class RunJournal {
  readonly file: string;
  readonly lines: JournalLine[];

  constructor(
    dir: string,
    readonly runId: string,
    private readonly secrets: () => (string | undefined)[],
    private readonly closed: () => boolean = () => false,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, `${runId}.jsonl`);
    this.lines = RunJournal.read(dir, runId);
  }

  append(line: NewJournalLine): JournalLine {
    // Each string is redacted before serialising: in JSON text a secret with a quote would be escaped and missed.
    const full = redactDeep({ t: new Date().toISOString(), ...line }, this.secrets()) as JournalLine;
    if (!this.closed()) appendFileSync(this.file, JSON.stringify(full) + '\n', { mode: 0o600 });
    this.lines.push(full);
    return full;
  }

  static read(dir: string, runId: string): JournalLine[] {
    const file = join(dir, `${runId}.jsonl`);
    return existsSync(file) ? parseJournal(readFileSync(file, 'utf8')) : [];
  }

  /** The journal as written (already redacted), for support bundles; empty when there is none. */
  static text(dir: string, runId: string): string {
    const file = join(dir, `${runId}.jsonl`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  static list(dir: string): string[] {
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.jsonl'))
          .map((f) => f.slice(0, -6))
          .sort()
      : [];
  }
}

/**
 * The run journals of one set of services. After close() (the app quits, or a test ends and removes its data
 * folder) a run still finishing keeps its last lines in memory only: writing them would recreate nothing useful
 * and, with the folder gone, throw from inside a run nobody is waiting for.
 */
export class RunJournals {
  private isClosed = false;

  constructor(
    readonly dir: string,
    private readonly secrets: () => (string | undefined)[],
  ) {}

  open(runId: string): RunJournal {
    return new RunJournal(this.dir, runId, this.secrets, () => this.isClosed);
  }

  read(runId: string): JournalLine[] {
    return RunJournal.read(this.dir, runId);
  }

  list(): string[] {
    return RunJournal.list(this.dir);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  close(): void {
    this.isClosed = true;
  }
}
