import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
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
