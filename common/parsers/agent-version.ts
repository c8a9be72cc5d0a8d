/** `palette-agent version` prints version, build and fips lines ("version: v4.7.9", "fips: false"). */
export function parseAgentVersion(text: string): { version: string | null; build: string | null; fips: boolean | null } {
  const field = (name: string) => new RegExp(`^\\s*${name}\\s*[:=]\\s*(.+?)\\s*$`, 'im').exec(text)?.[1] ?? null;
  const version = field('version')?.replace(/^v/, '') ?? null;
  const fips = field('fips');
  return { version, build: field('build'), fips: fips === null ? null : /^(true|yes|1|enabled)$/i.test(fips) };
}

/** STYLUS_ROOT from /etc/spectro/environment, read as text (never sourced). Defaults to "/". */
export function parseStylusRoot(envFile: string): string {
  const m = /^\s*(?:export\s+)?STYLUS_ROOT=(.*)$/m.exec(envFile);
  const v = m?.[1]?.trim().replace(/^(['"])(.*)\1$/, '$2');
  return v && v.startsWith('/') ? v : '/';
}
