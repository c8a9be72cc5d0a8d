import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Real outputs from many machines (sources in test/fixtures/corpus/SOURCES.md). */
export function corpus(kind: string, file: string): string {
  return readFileSync(join(__dirname, '..', 'fixtures', 'corpus', kind, file), 'utf8');
}
