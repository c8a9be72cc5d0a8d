import type { Report } from './schema';

export const ASSET_COLUMNS = [
  'address',
  'host name',
  'edge host name',
  'serial',
  'MACs',
  'machine-id',
  'agent version',
  'result',
  'report id',
] as const;

/**
 * One CSV cell: quoted when it holds a separator, a quote or a line break; a value a spreadsheet would run as a
 * formula (= + - @, tab, carriage return first) gets a leading apostrophe, as OWASP advises for CSV injection.
 */
export function csvCell(value: string | null | undefined): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n;]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The fleet of one run for the customer's asset register: one row per device, from the (redacted) report. */
export function assetRegisterCsv(report: Report): string {
  const rows = report.devices.map((d) => [
    d.address,
    d.hostName,
    d.edgeHostName,
    d.serial,
    d.macs.join(' '),
    d.machineId,
    d.versionAfter ?? d.versionBefore,
    d.result,
    report.runId,
  ]);
  return [ASSET_COLUMNS as readonly string[], ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
