import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { VisitView } from '../../common/model/device';
import { COLUMNS } from '../../common/devices/csv-import';
import { z } from 'zod';

/**
 * A site kit: a folder a technician prepares before the visit (or saves from the window) and the CLI runs from.
 *   kit.yaml      site name, technician, the bundle (path relative to the kit) and its sha256, roles and leader
 *                 by device address, overrides with their reasons
 *   site.yaml     the site profile the window exports (schema-versioned, no secret)
 *   devices.csv   the devices, as the window imports them (host, port, user, auth, key path)
 * Secrets are never in it: they come from the environment or stdin.
 */
export const kitSchema = z
  .object({
    siteName: z.string().trim().min(1).max(120),
    technician: z.string().trim().min(1).max(120),
    bundle: z.string().trim().min(1),
    sha256: z
      .string()
      .regex(/^[a-fA-F0-9]{64}$/, 'sha256 must be 64 hexadecimal characters')
      .optional(),
    roles: z.record(z.string(), z.enum(['control-plane', 'worker'])).optional(),
    leader: z.string().optional(),
    overrides: z
      .array(z.object({ device: z.string(), check: z.string(), reason: z.string().min(10), technician: z.string().min(2) }).strict())
      .optional(),
  })
  .strict();
export type KitFile = z.infer<typeof kitSchema>;

export interface Kit {
  dir: string;
  kit: KitFile;
  bundlePath: string;
  siteYaml: string;
  devicesCsv: string;
}

export class KitError extends Error {}

export function loadKit(dir: string): Kit {
  const read = (name: string) => {
    const p = join(dir, name);
    if (!existsSync(p)) throw new KitError(`The kit has no ${name} (${p}).`);
    return readFileSync(p, 'utf8');
  };
  let raw: unknown;
  try {
    raw = parseYaml(read('kit.yaml'));
  } catch (err) {
    if (err instanceof KitError) throw err;
    throw new KitError(`kit.yaml is not YAML: ${(err as Error).message}`);
  }
  const parsed = kitSchema.safeParse(raw);
  if (!parsed.success)
    throw new KitError(`kit.yaml: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  const kit = parsed.data;
  const bundlePath = isAbsolute(kit.bundle) ? kit.bundle : join(dir, kit.bundle);
  if (!existsSync(bundlePath)) throw new KitError(`The bundle named in kit.yaml is not there: ${bundlePath}.`);
  return { dir, kit, bundlePath, siteYaml: read('site.yaml'), devicesCsv: read('devices.csv') };
}

/** The devices.csv columns a saved kit writes: the importer's own, in its order. */
const SAVED_COLUMNS = COLUMNS;

const csvCell = (v: string | number | undefined | null) => {
  const s = v === undefined || v === null ? '' : String(v);
  if (/[,;\t"\r\n]/.test(s)) throw new KitError(`"${s}" cannot go into devices.csv (it holds a separator or a quote).`);
  return s;
};

/**
 * The files of a site kit for this visit: what the CLI reads back. Devices reached over SSH only (a kit runs from
 * another machine); no secret goes in (the site profile never holds one, and devices.csv holds key paths, not keys).
 */
export function kitFiles(
  visit: VisitView,
  siteYaml: string,
  bundle: { path: string; sha256?: string } | null,
): { files: Record<'kit.yaml' | 'site.yaml' | 'devices.csv', string>; skipped: string[] } {
  const ssh = visit.devices.filter((d) => d.connection.kind === 'ssh');
  const skipped = visit.devices.filter((d) => d.connection.kind !== 'ssh').map((d) => d.label);
  if (!ssh.length) throw new KitError('A site kit needs at least one device reached over SSH.');
  if (!bundle) throw new KitError('Choose the bundle first (Install step): a kit names the bundle it installs.');
  const address = (d: VisitView['devices'][number]) => (d.connection.kind === 'ssh' ? d.connection.host : '');
  const rows = ssh.map((d) => {
    const c = d.connection as Extract<typeof d.connection, { kind: 'ssh' }>;
    const site = visit.site.devices[d.id];
    const staticAddress = d.intake?.address ?? (site?.nic?.mode === 'static' ? site.nic.address : '');
    return [
      c.host,
      c.port,
      c.user,
      c.auth,
      c.keyPath,
      d.intake?.serial,
      d.intake?.mac,
      d.intake?.machineId,
      visit.plan.roles[d.id],
      site?.hostName || d.intake?.hostName,
      site?.edgeHostName || d.intake?.edgeHostName,
      staticAddress,
    ]
      .map(csvCell)
      .join(',');
  });
  const kit: KitFile = {
    siteName: visit.siteName || 'Site',
    technician: visit.technician || 'Technician',
    bundle: bundle.path,
    ...(bundle.sha256 ? { sha256: bundle.sha256 } : {}),
    ...(visit.plan.leader && ssh.some((d) => d.id === visit.plan.leader)
      ? { leader: address(ssh.find((d) => d.id === visit.plan.leader)!) }
      : {}),
    ...(visit.overrides.length
      ? {
          overrides: visit.overrides
            .filter((o) => ssh.some((d) => d.id === o.deviceId))
            .map((o) => ({
              device: address(ssh.find((d) => d.id === o.deviceId)!),
              check: o.checkId,
              reason: o.reason,
              technician: o.technician,
            })),
        }
      : {}),
  };
  kitSchema.parse(kit);
  return {
    files: {
      'kit.yaml': `# Site kit saved by Edge Agent Installer. Secrets are not in it: give them with the environment (see README).\n${stringifyYaml(kit)}`,
      'site.yaml': siteYaml,
      'devices.csv': [SAVED_COLUMNS.join(','), ...rows].join('\n') + '\n',
    },
    skipped,
  };
}

/** Writes a kit into a folder: a new or empty one, or one that already holds a kit (its three files are replaced). */
export function saveKit(dir: string, files: Record<string, string>): string[] {
  if (!isAbsolute(dir)) throw new KitError('Give the kit folder as an absolute path on this machine.');
  if (existsSync(dir) && readdirSync(dir).length && !existsSync(join(dir, 'kit.yaml')))
    throw new KitError(`${dir} is not empty and holds no kit: choose a new folder.`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Each file whole or not at all: a kit the CLI reads later must never be half-written by a full disk.
  for (const [name, text] of Object.entries(files)) {
    const tmp = join(dir, `.${name}.partial`);
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, join(dir, name));
  }
  return Object.keys(files);
}
