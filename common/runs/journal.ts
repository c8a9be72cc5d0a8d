import { z } from 'zod';
import type { AppErrorShape } from '../errors';
import type { RunContext, VerifyCheck } from '../install/model';
import type { InstalledAgent, UpgradeConfirmations } from '../upgrade/rules';
import type { UpgradePath } from '../upgrade/paths';

/**
 * The run journal (runs/<runId>.jsonl): one discriminated union for every line, written and read by these
 * types, parsed with these schemas. A line that does not parse (a torn last line after a crash, or a line
 * of a future version) is left out when read, never guessed at.
 */

const errorShape = z.custom<AppErrorShape>((v) => typeof v === 'object' && v !== null && 'code' in v && 'message' in v);
const verifyChecks = z.custom<VerifyCheck[]>((v) => Array.isArray(v));
const bundleRef = z.object({ fileName: z.string(), sha256: z.string(), size: z.number(), arch: z.string() });
export type BundleRef = z.infer<typeof bundleRef>;

export const runKindSchema = z.enum(['install', 'upgrade', 'uninstall']);
export type RunKind = z.infer<typeof runKindSchema>;

/** What a finished step leaves for the steps after it (and for a resume): its summary. */
export const stepSummarySchema = z
  .object({
    ms: z.number().optional(),
    version: z.string().optional(),
    fips: z.boolean().nullable().optional(),
    installedSetUp: z.string().nullable().optional(),
    installed: z.custom<InstalledAgent | null>().optional(),
    verify: verifyChecks.optional(),
    freedBytes: z.number().optional(),
  })
  .passthrough();
export type StepSummary = z.infer<typeof stepSummarySchema>;

const t = z.string();
export const journalLineSchema = z.discriminatedUnion('kind', [
  z.object({
    t,
    kind: z.literal('run-started'),
    data: z.object({
      kind: runKindSchema.default('install'),
      /** An uninstall sends no bundle. */
      bundle: bundleRef.optional(),
      bundlePath: z.string().optional(),
      expectedSha256: z.string().nullable().optional(),
      devices: z.array(z.string()),
      method: z.enum(['reboot', 'install-first']).optional(),
      plan: z.unknown().optional(),
    }),
  }),
  z.object({ t, kind: z.literal('run-resumed'), data: z.object({ devices: z.array(z.string()) }) }),
  z.object({
    t,
    kind: z.literal('context'),
    data: z.custom<
      RunContext & {
        upgrade?: {
          target: unknown;
          order: string[];
          confirm: UpgradeConfirmations;
          targetPack: unknown;
          /** The path each device took (common/upgrade/paths.ts) and why the hosts went in that order. */
          paths?: Record<string, UpgradePath>;
          orderReason?: string;
        };
        uninstall?: { mode: 'local' | 'central' | null; paletteRecordWillBeDeleted: boolean };
      }
    >((v) => typeof v === 'object' && v !== null),
  }),
  z.object({ t, kind: z.literal('step-started'), deviceId: z.string(), step: z.string() }),
  z.object({ t, kind: z.literal('step-finished'), deviceId: z.string(), step: z.string(), data: stepSummarySchema.default({}) }),
  z.object({
    t,
    kind: z.literal('step-failed'),
    deviceId: z.string(),
    step: z.string(),
    data: z
      .object({
        ms: z.number().optional(),
        error: errorShape.optional(),
        rollback: z.object({ ok: z.boolean(), detail: z.string() }).passthrough().optional(),
      })
      .passthrough(),
  }),
  z.object({
    t,
    kind: z.literal('output'),
    deviceId: z.string(),
    step: z.string(),
    data: z
      .object({
        lines: z.array(z.string()).optional(),
        rebootMarker: z.boolean().optional(),
        resumedFrom: z.number().optional(),
        verify: verifyChecks.optional(),
      })
      .passthrough(),
  }),
  z.object({
    t,
    kind: z.literal('device-done'),
    deviceId: z.string(),
    data: z.object({ version: z.string(), versionBefore: z.string().optional(), verify: verifyChecks }),
  }),
  z.object({ t, kind: z.literal('run-finished'), data: z.object({ results: z.record(z.string()), note: z.string().optional() }) }),
]);

export type JournalLine = z.infer<typeof journalLineSchema>;
export type JournalKind = JournalLine['kind'];
/** A line as appended: the time is added by the journal. */
export type NewJournalLine = JournalLine extends infer L ? (L extends { t: string } ? Omit<L, 't'> : never) : never;
export type LineOf<K extends JournalKind> = Extract<JournalLine, { kind: K }>;

/** Parses the text of a journal; a line that does not parse is left out. Legacy resume marks are normalised. */
export function parseJournal(text: string): JournalLine[] {
  const out: JournalLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      continue; // a torn last line after a crash
    }
    const parsed = journalLineSchema.safeParse(legacy(json));
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

/** Older journals marked a resume with a second run-started carrying `resumed: true`. */
function legacy(json: unknown): unknown {
  const l = json as { kind?: unknown; data?: { resumed?: unknown; devices?: unknown } } | null;
  return l?.kind === 'run-started' && l.data?.resumed ? { ...l, kind: 'run-resumed', data: { devices: l.data.devices } } : json;
}

export function isKind<K extends JournalKind>(kind: K) {
  return (l: JournalLine): l is LineOf<K> => l.kind === kind;
}

export const firstStart = (lines: JournalLine[]) => lines.find(isKind('run-started'));
export const runContextOf = (lines: JournalLine[]) => lines.find(isKind('context'))?.data;

/** Finished when the last start or end mark is an end (a resumed run starts again). */
export function runFinished(lines: JournalLine[]): LineOf<'run-finished'> | null {
  const last = lines.filter((l) => l.kind === 'run-started' || l.kind === 'run-resumed' || l.kind === 'run-finished').at(-1);
  return last?.kind === 'run-finished' ? last : null;
}

/** A line about one device. */
export type DeviceLine = Extract<JournalLine, { deviceId: string }>;

/** A device's own lines. */
export function deviceLines(lines: JournalLine[], deviceId: string): DeviceLine[] {
  return lines.filter((l): l is DeviceLine => 'deviceId' in l && l.deviceId === deviceId);
}
