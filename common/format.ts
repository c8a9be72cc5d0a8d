/** Formatting shared by the UI and (later) the report. Binary units, as the agent's docs use GB loosely. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function orUnknown(v: string | number | null | undefined): string {
  return v === null || v === undefined || v === '' ? 'unknown' : String(v);
}
