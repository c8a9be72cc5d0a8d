import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shCommand, shQuote } from '../../common/shell/quote';

const HOSTILE = [
  '',
  'plain',
  "it's",
  "'",
  "''''",
  '"double"',
  '$(touch CANARY)',
  '`touch CANARY`',
  '; touch CANARY',
  '&& touch CANARY',
  '| touch CANARY',
  '\ntouch CANARY\n',
  '$HOME ${PATH} $0 $$',
  '\\\\ \\n \\',
  '-rf --no-preserve-root',
  'ünïcødé ✓ 日本語',
  '*?[a-z]{a,b}~',
  '\t\r\x01\x7f',
  'a'.repeat(5000),
];

describe('shQuote: the one function between a value and a remote shell', () => {
  it.each(HOSTILE.map((s) => [JSON.stringify(s).slice(0, 40), s]))('%s comes back byte for byte and runs nothing', (_n, value) => {
    const dir = mkdtempSync(join(tmpdir(), 'eai-quote-'));
    const out = execFileSync('sh', ['-c', `cd ${shQuote(dir)} && printf '%s' ${shQuote(value)}`]);
    expect(out.toString()).toBe(value);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses NUL, which no shell argument can carry', () => {
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });

  it('joins words', () => {
    expect(shCommand('tar', '-xf', "my file's.tar")).toBe("'tar' '-xf' 'my file'\\''s.tar'");
  });
});
