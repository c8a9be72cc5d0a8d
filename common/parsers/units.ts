/** lsblk/df human sizes ("238.5G", "243M", "1.8T") use binary multiples. */
const MULTIPLIER: Record<string, number> = { B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60 };

export function parseSize(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(\d+(?:[.,]\d+)?)\s*([BKMGTPE])(?:i?B)?$/i.exec(s);
  if (!m) return null;
  const unit = MULTIPLIER[m[2]!.toUpperCase()]!;
  return Math.round(Number(m[1]!.replace(',', '.')) * unit);
}

/** Old util-linux prints booleans as "0"/"1"; new prints true/false. */
export function parseFlag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === '1' || value === 1) return true;
  if (value === '0' || value === 0) return false;
  return null;
}
