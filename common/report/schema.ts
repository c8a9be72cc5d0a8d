import { z } from 'zod';

/**
 * The install (or upgrade) report: what a customer signs off and what support reads first. Built only
 * from a run's journal (common/report/build.ts), so a past run can be reported again after a restart.
 * Versioned: a reader refuses a schemaVersion it does not know. `report.schema.json` beside every JSON
 * export is generated from this schema.
 */
export const REPORT_SCHEMA_VERSION = 1;

const iso = z.string().datetime({ offset: true });
const stepResult = z.enum(['ok', 'failed', 'interrupted']);

export const reportCheckSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'warn', 'block', 'unknown']),
  measured: z.string(),
  required: z.string(),
  source: z.string(),
  override: z.object({ reason: z.string(), technician: z.string(), at: iso }).nullable(),
});

export const reportStepSchema = z.object({
  step: z.string(),
  title: z.string(),
  startedAt: iso,
  finishedAt: iso.nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
  result: stepResult,
  error: z.string().nullable(),
});

export const reportDeviceSchema = z.object({
  id: z.string(),
  label: z.string(),
  address: z.string(),
  role: z.string().nullable(),
  leader: z.boolean(),
  hostName: z.string().nullable(),
  machineId: z.string().nullable(),
  serial: z.string().nullable(),
  /** The MACs the device showed, and the edge host name it was given (for the customer's asset register). */
  macs: z.array(z.string()).default([]),
  edgeHostName: z.string().nullable().default(null),
  hostKey: z.string().nullable(),
  addresses: z.array(z.string()),
  hardware: z.object({
    arch: z.string(),
    cpuCores: z.number().nullable(),
    cpuModel: z.string().nullable(),
    memory: z.string(),
    rootDisk: z.string().nullable(),
    disks: z.array(z.string()),
  }),
  os: z.object({ name: z.string().nullable(), kernel: z.string().nullable() }),
  checks: z.array(reportCheckSchema),
  steps: z.array(reportStepSchema),
  result: z.enum(['done', 'failed', 'cancelled', 'interrupted', 'not-started']),
  error: z.string().nullable(),
  versionBefore: z.string().nullable(),
  versionAfter: z.string().nullable(),
  /** Space the removal of the staged bundle returned to the device (the documented minimum disk is 32 GB). */
  stagingFreed: z.string().nullable().default(null),
  /** How the bundle went to the device: size, time, resumed or not, compressed or not and why. */
  upload: z.string().nullable().default(null),
  /** Local management: where Local UI answered, its certificate fingerprint, who can sign in. */
  localUi: z
    .object({
      url: z.string(),
      answered: z.boolean(),
      fingerprint: z.string().nullable(),
      users: z.array(z.string()),
      waitedSec: z.number(),
      limitSec: z.number(),
      journal: z.array(z.string()).optional(),
    })
    .nullable()
    .default(null),
  verification: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string(), required: z.literal(false).optional() })),
});

export const reportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  kind: z.enum(['install', 'upgrade', 'uninstall']),
  runId: z.string(),
  generatedAt: iso,
  site: z.object({ name: z.string(), technician: z.string() }),
  startedAt: iso,
  finishedAt: iso.nullable(),
  result: z.enum(['success', 'partial', 'failed', 'interrupted']),
  bundle: z
    .object({
      fileName: z.string(),
      size: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      arch: z.string(),
      agentVersion: z.string().nullable(),
    })
    // An uninstall sends no bundle.
    .nullable(),
  plan: z.object({
    topology: z.string(),
    distribution: z.string(),
    kubernetesVersion: z.string(),
    flavour: z.string(),
    mode: z.string(),
    cni: z.string(),
    issues: z.array(z.object({ severity: z.string(), message: z.string() })),
  }),
  siteProperties: z.array(z.object({ name: z.string(), value: z.string() })),
  devices: z.array(reportDeviceSchema),
  handoff: z.object({ endpoint: z.string(), leader: z.string().nullable(), nextSteps: z.array(z.string()) }),
  /** The first page a customer reads: one row per device, and which ones did not finish. */
  summary: z.object({
    date: z.string(),
    unfinished: z.array(z.string()),
    rows: z.array(
      z.object({
        device: z.string(),
        serial: z.string().nullable(),
        address: z.string(),
        agentVersion: z.string().nullable(),
        result: z.string(),
        openOverrides: z.number().int(),
      }),
    ),
  }),
  /** Upgrades: the path each host took (documented or not) and the order used, with why. */
  upgrade: z
    .object({
      order: z.array(z.string()),
      orderReason: z.string(),
      paths: z.array(z.object({ device: z.string(), path: z.string(), title: z.string(), documented: z.boolean() })),
    })
    .optional(),
});

export type Report = z.infer<typeof reportSchema>;
export type ReportDevice = z.infer<typeof reportDeviceSchema>;
export type ReportStep = z.infer<typeof reportStepSchema>;
