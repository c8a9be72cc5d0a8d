/**
 * `palette-agent version` prints version, build and fips lines ("version: v4.9.10", "build: release"); the
 * fips line is empty for a standard build (device-contract §1), so a value never runs on to the next line.
 */
export function parseAgentVersion(text: string): { version: string | null; build: string | null; fips: boolean | null } {
  const field = (name: string) => new RegExp(`^[ \\t]*${name}[ \\t]*[:=][ \\t]*(.*?)[ \\t]*$`, 'im').exec(text)?.[1] ?? null;
  const version = field('version')?.replace(/^v/, '') || null;
  const fips = field('fips');
  return { version, build: field('build') || null, fips: fips === null ? null : /^(true|yes|1|enabled)$/i.test(fips) };
}

/** STYLUS_ROOT from /etc/spectro/environment, read as text (never sourced). Defaults to "/". */
export function parseStylusRoot(envFile: string): string {
  const m = /^\s*(?:export\s+)?STYLUS_ROOT=(.*)$/m.exec(envFile);
  const v = m?.[1]?.trim().replace(/^(['"])(.*)\1$/, '$2');
  return v && v.startsWith('/') ? v : '/';
}
