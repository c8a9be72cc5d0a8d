import type { OsFact } from '../model/host-facts';

/** Parses /etc/os-release (shell-style KEY=value lines, values optionally quoted). */
export function parseOsRelease(text: string): OsFact & { fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!/^[A-Z0-9_]+$/.test(key)) continue;
    fields[key] = unquote(line.slice(eq + 1));
  }
  return {
    id: fields.ID?.toLowerCase() || null,
    idLike: (fields.ID_LIKE ?? '').toLowerCase().split(/\s+/).filter(Boolean),
    versionId: fields.VERSION_ID || null,
    prettyName: fields.PRETTY_NAME || fields.NAME || null,
    fields,
  };
}

function unquote(v: string): string {
  const s = v.trim();
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) {
    const inner = s.slice(1, -1);
    return s[0] === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return s;
}
