import fc from 'fast-check';
import type { ZodTypeAny } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shQuote, tcpConnectCommand } from '../../common/shell/quote';
import {
  edgeHostNameSchema,
  hostNameSchema,
  installPathSchema,
  ipSchema,
  noProxyEntrySchema,
  osUserSchema,
  projectNameSchema,
  proxyUrlSchema,
} from '../../common/site/validate';
import { hostSchema, userSchema } from '../../common/validate';
import { Lab } from '../../e2e/lab/lab';
import type { SshSession } from '../../main/services/ssh/session';
import { servicesForTest } from '../lab/helpers';
import { recordFault, recordFigure } from './record';

/**
 * Property-based injection tests: arbitrary strings either fail validation with a specific message, or,
 * run on a real lab device through the real command builders, arrive byte-for-byte and run nothing.
 * Every payload that "worked" would create a canary file on the device.
 */
const CANARY = '/tmp/eai-canary';
const PAYLOADS = [
  `$(touch ${CANARY})`,
  `\`touch ${CANARY}\``,
  `;touch ${CANARY};`,
  `'; touch ${CANARY}; '`,
  `"; touch ${CANARY}; "`,
  `\n touch ${CANARY}\n`,
  `|| touch ${CANARY}`,
  `&& touch ${CANARY} &`,
  `$'\\x41'`,
  '${IFS}',
  '$((1+1))',
  '\\',
  "'\\''",
  '-rf',
  '--',
  '*',
  '~root',
  '!!',
  '#',
  '%s%n',
  '\r\n',
  '\u202e',
  '\u0000',
];
const hostile = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  {
    weight: 3,
    arbitrary: fc.array(fc.oneof(fc.constantFrom(...PAYLOADS), fc.string({ maxLength: 6 })), { maxLength: 8 }).map((a) => a.join('')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
);
const FIELDS: [string, ZodTypeAny][] = [
  ['device host', hostSchema],
  ['device user', userSchema],
  ['OS host name', hostNameSchema],
  ['edge host name', edgeHostNameSchema],
  ['install path', installPathSchema],
  ['VIP', ipSchema],
  ['NO_PROXY entry', noProxyEntrySchema],
  ['proxy URL', proxyUrlSchema],
  ['Local UI user', osUserSchema],
  ['project name', projectNameSchema],
];
/** What sh sends back: the UTF-8 bytes of the value (a lone surrogate is already U+FFFD on the way out). */
const bytes = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

describe('injection: arbitrary strings through the real quoting and validators, run on a lab device', () => {
  let lab: Lab;
  let svc: ReturnType<typeof servicesForTest>;
  let session: SshSession;
  let executed = 0;
  let refused = 0;

  beforeAll(async () => {
    lab = await Lab.start(1);
    svc = servicesForTest();
    const d = await svc.addRoot(lab.devices[0]!, lab.clientKey);
    session = svc.session(d.id);
  });
  afterAll(async () => {
    recordFigure('injection-cases', executed + refused, 'cases', '>= 10000');
    recordFigure('injection-cases-run-on-device', executed, 'cases');
    svc?.close();
    await lab?.stop();
  });

  /** Runs many values in one exec (sh reads the script on stdin) and returns what each printed. */
  async function roundTrip(values: string[], line: (v: string) => string, prelude = ''): Promise<string[]> {
    const script = `${prelude}\n${values.map(line).join('\n')}\n`;
    const r = await session.exec('sh -s', { stdin: script, timeoutMs: 120_000 });
    expect(r.code, r.stderr.slice(0, 2000)).toBe(0);
    return r.stdout.split('\0').slice(0, -1);
  }

  it('shQuote: 8,000 arbitrary values come back byte-for-byte; NUL is refused by name', async () => {
    const values = fc.sample(hostile, { numRuns: 8000, seed: Number(process.env.EAI_FUZZ_SEED ?? 20261129) });
    const sendable = values.filter((v) => {
      if (!v.includes('\0')) return true;
      expect(() => shQuote(v)).toThrow(/NUL character/);
      refused++;
      return false;
    });
    for (let i = 0; i < sendable.length; i += 1000) {
      const batch = sendable.slice(i, i + 1000);
      const back = await roundTrip(batch, (v) => `printf '%s\\0' ${shQuote(v)}`);
      expect(back.length).toBe(batch.length);
      for (const [k, v] of batch.entries())
        if (back[k] !== bytes(v)) expect({ value: v, back: back[k] }).toEqual({ value: v, back: bytes(v) });
      executed += batch.length;
    }
    expect(await lab.devices[0]!.exec(`ls ${CANARY}* 2>/dev/null | wc -l`)).toBe('0\n');
  });

  it('the TCP probe builder (reachability, proxy check): 2,000 hosts reach bash as one argument, never as code', async () => {
    const hosts = fc.sample(
      hostile.filter((v) => !v.includes('\0')),
      { numRuns: 2000, seed: 7 },
    );
    // `timeout` is replaced by a function that prints the words it would run: the real builder's output runs as is.
    const back = await roundTrip(hosts, (h) => tcpConnectCommand(h, 6443, 1), `timeout() { shift; printf '%s\\0' "$@"; printf '\\0'; }`);
    // Each line printed: bash, -c, the fixed script, eai-tcp, host, port, then an empty field.
    const groups: string[][] = [];
    let cur: string[] = [];
    for (const f of back) {
      if (f === '' && cur.length === 6) {
        groups.push(cur);
        cur = [];
      } else cur.push(f);
    }
    expect(groups.length).toBe(hosts.length);
    for (const [k, h] of hosts.entries())
      expect(groups[k]).toEqual(['bash', '-c', 'exec 3<>"/dev/tcp/$1/$2"', 'eai-tcp', bytes(h), '6443']);
    executed += hosts.length;
    expect(await lab.devices[0]!.exec(`ls ${CANARY}* 2>/dev/null | wc -l`)).toBe('0\n');
  });

  it('every field that reaches a device: arbitrary input is refused with a specific message, or carried exactly', async () => {
    const accepted: string[] = [];
    for (const [name, schema] of FIELDS) {
      for (const v of fc.sample(hostile, { numRuns: 300, seed: name.length })) {
        const r = schema.safeParse(v);
        if (!r.success) {
          const msg = r.error.issues[0]?.message ?? '';
          // A specific message says what to type; zod's generic defaults do not.
          expect(msg, `${name}: ${JSON.stringify(v)}`).not.toMatch(/^(Invalid|Required|Expected)/);
          expect(msg.length).toBeGreaterThan(15);
          refused++;
        } else accepted.push(String(r.data));
      }
    }
    const back = await roundTrip(accepted, (v) => `printf '%s\\0' ${shQuote(v)}`);
    expect(back).toEqual(accepted.map(bytes));
    executed += accepted.length;
    expect(await lab.devices[0]!.exec(`ls ${CANARY}* 2>/dev/null | wc -l`)).toBe('0\n');
  });

  it('records the row', () => {
    expect(executed + refused).toBeGreaterThanOrEqual(10_000);
    recordFault(
      'hostile input in every field (fast-check)',
      `${executed + refused} cases: ${refused} refused with a specific message, ${executed} run on a lab device and came back byte-for-byte; no canary file`,
    );
  });
});
