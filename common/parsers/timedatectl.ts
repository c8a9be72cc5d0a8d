/**
 * Clock state from `timedatectl show` (key=value, systemd ≥ 239), `timedatectl status` (old "NTP
 * synchronized:" and new "System clock synchronized:" labels) and `timedatectl timesync-status`.
 */
export interface ClockState {
  synchronized: boolean | null;
  ntpEnabled: boolean | null;
  /** The offset timesyncd measured against its server, in milliseconds. */
  serverOffsetMs: number | null;
}

export function parseTimedatectl(text: string): ClockState {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (eq) kv.set(eq[1]!.toLowerCase(), eq[2]!.trim());
    const colon = /^\s*([^:]+?):\s+(.*)$/.exec(line);
    if (colon) kv.set(colon[1]!.trim().toLowerCase(), colon[2]!.trim());
  }
  const yes = (v: string | undefined) => (v === undefined ? null : /^(yes|active|true)$/i.test(v));
  const synchronized = yes(kv.get('ntpsynchronized') ?? kv.get('system clock synchronized') ?? kv.get('ntp synchronized'));
  const ntpEnabled = yes(kv.get('ntp') ?? kv.get('ntp service') ?? kv.get('ntp enabled') ?? kv.get('systemd-timesyncd.service active'));
  return { synchronized, ntpEnabled, serverOffsetMs: parseDuration(kv.get('offset')) };
}

/** "-5.224ms", "+1.2s", "850us" → milliseconds */
export function parseDuration(v: string | undefined): number | null {
  const m = v ? /^([+-]?\d+(?:\.\d+)?)(us|µs|ms|s|min)$/.exec(v.trim()) : null;
  if (!m) return null;
  const scale = { us: 0.001, µs: 0.001, ms: 1, s: 1000, min: 60000 }[m[2] as 'us' | 'ms' | 's' | 'min'];
  return Number(m[1]) * scale;
}
