import { connectionSpecSchema } from '../contract';
import type { ConnectionSpec } from '../model/device';

export interface CsvRowError {
  line: number;
  message: string;
}

/**
 * Devices from a CSV: `host[,port[,user[,auth[,keyPath]]]]`, with an optional header line and `#`
 * comments. Every row is validated; if any row is wrong nothing is added (the errors name each line).
 */
export function parseDeviceCsv(text: string): { devices: { label?: string; connection: ConnectionSpec }[]; errors: CsvRowError[] } {
  const devices: { connection: ConnectionSpec }[] = [];
  const errors: CsvRowError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cells = line.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (i === 0 && /^(host|address)$/i.test(cells[0] ?? '')) return; // header
    if (cells.length > 5) {
      errors.push({ line: i + 1, message: 'Too many columns: use host, port, user, auth, key path.' });
      return;
    }
    const [host, port, user, auth, keyPath] = cells;
    const candidate = {
      kind: 'ssh' as const,
      host: host ?? '',
      port: port ? Number(port) : 22,
      user: user || 'root',
      auth: (auth || (keyPath ? 'key' : 'password')) as 'password',
      ...(keyPath ? { keyPath } : {}),
    };
    const parsed = connectionSpecSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || 'row';
      const message = issue.code === 'invalid_enum_value' ? 'Sign-in must be password, key, agent or keyboard-interactive.' : issue.message;
      errors.push({ line: i + 1, message: `${field}: ${message}` });
      return;
    }
    devices.push({ connection: parsed.data });
  });
  if (devices.length === 0 && errors.length === 0) errors.push({ line: 1, message: 'The file has no device rows.' });
  return { devices: errors.length ? [] : devices, errors };
}
