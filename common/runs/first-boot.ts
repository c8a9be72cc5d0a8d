/**
 * The first-boot step (spectro-init.service, device-contract §1) is a simple unit: systemd counts it started
 * as soon as the script is forked, and sshd answers long before the install ends. What the wizard reads of
 * it after the reboot, and what that means, as pure functions.
 */
export interface FirstBootStatus {
  /** Whether the agent's sentinel (setup_done) exists under the install root. */
  sentinel: boolean;
  /** systemd's view of spectro-init.service; null where the unit is unknown to systemd. */
  unit: { active: string; sub: string; restarts: number; exitStatus: number | null; runningForSec: number | null } | null;
  /** The last lines of the unit's log. */
  tail: string[];
}

export type FirstBootVerdict =
  { kind: 'done' } | { kind: 'running'; detail: string } | { kind: 'failed'; detail: string; line: string | null };

/** How many automatic restarts (RestartSec=5s each) count as a failure rather than a hiccup. */
export const FIRST_BOOT_MAX_RESTARTS = 3;

/** `systemctl show -p …` output (Key=Value lines) and the seconds since the unit's main process started. */
export function parseUnitShow(text: string, uptimeSec: number | null): FirstBootStatus['unit'] {
  const kv = new Map(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );
  if (!kv.size || kv.get('LoadState') === 'not-found') return null;
  const startedUs = Number(kv.get('ExecMainStartTimestampMonotonic') ?? '0');
  const exit = kv.get('ExecMainStatus');
  return {
    active: kv.get('ActiveState') ?? 'unknown',
    sub: kv.get('SubState') ?? 'unknown',
    restarts: Number(kv.get('NRestarts') ?? '0') || 0,
    exitStatus: exit === undefined || exit === '' ? null : Number(exit),
    runningForSec: uptimeSec !== null && startedUs > 0 ? Math.max(0, Math.round(uptimeSec - startedUs / 1e6)) : null,
  };
}

/** The script's own error: the last line that says so (set -x traces start with "+"). */
export function errorLine(tail: string[]): string | null {
  const lines = tail.filter((l) => l.trim() && !l.startsWith('+'));
  return [...lines].reverse().find((l) => /error|fail|cannot|denied|no such|not found/i.test(l)) ?? lines.at(-1) ?? null;
}

export function firstBootVerdict(s: FirstBootStatus): FirstBootVerdict {
  const u = s.unit;
  if (
    u &&
    (u.sub === 'running' || u.sub === 'start' || u.active === 'activating') &&
    !(u.sub === 'auto-restart' && u.restarts >= FIRST_BOOT_MAX_RESTARTS)
  ) {
    const restarts = u.restarts ? `, restarted ${u.restarts} time${u.restarts === 1 ? '' : 's'} by systemd after a failure` : '';
    const since = u.runningForSec !== null ? ` for ${duration(u.runningForSec)}` : '';
    return {
      kind: 'running',
      detail: `installing on the device (first-boot step ${u.sub === 'auto-restart' ? 'waiting to restart' : 'running'}${since}${restarts})`,
    };
  }
  if (u && (u.active === 'failed' || u.restarts >= FIRST_BOOT_MAX_RESTARTS) && !s.sentinel) {
    return {
      kind: 'failed',
      detail: `The first-boot step failed${u.restarts ? ` (systemd restarted it ${u.restarts} times)` : ''}${u.exitStatus ? `, exit status ${u.exitStatus}` : ''}.`,
      line: errorLine(s.tail),
    };
  }
  if (s.sentinel) return { kind: 'done' };
  if (u && u.sub === 'exited' && u.exitStatus === 0) {
    return {
      kind: 'failed',
      detail:
        "The first-boot step ended without an error, but the agent's setup_done is missing (a custom install path whose first sentinel write went elsewhere?).",
      line: errorLine(s.tail),
    };
  }
  return {
    kind: 'running',
    detail: u
      ? `waiting for the first-boot step to start (${u.active}/${u.sub})`
      : 'waiting for the first-boot step (systemd does not list spectro-init yet)',
  };
}

export function duration(sec: number): string {
  if (sec < 60) return `${sec} s`;
  const m = Math.floor(sec / 60);
  return `${m} min${sec % 60 ? ` ${sec % 60} s` : ''}`;
}
