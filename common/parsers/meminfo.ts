/** Parses /proc/meminfo ("MemTotal:  3880584 kB"). Values are returned in bytes. */
export function parseMeminfo(text: string): {
  memTotalBytes: number | null;
  memAvailableBytes: number | null;
  swapTotalBytes: number | null;
} {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s*(kB))?\s*$/.exec(line.trim());
    if (m) values.set(m[1]!, Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return {
    memTotalBytes: values.get('MemTotal') ?? null,
    memAvailableBytes: values.get('MemAvailable') ?? null,
    swapTotalBytes: values.get('SwapTotal') ?? null,
  };
}
