import type { PhaseSpec } from './phases';
import type { DeviceLine, StepSummary } from './journal';

export type DeviceLines = DeviceLine[];

export type Next<P extends string> =
  { kind: 'run'; phase: P; spec: PhaseSpec<P>; state: StepSummary } | { kind: 'done'; state: StepSummary };

/**
 * The pure heart of every run: from a device's journal lines alone, which phase runs next, and what the
 * finished phases left for it (their summaries, later ones winning). A normal run, a retry after a failure
 * and a resume after the app stopped all ask this same function, so they cannot disagree.
 *
 * A phase counts as done when its last record is a finish; a failure or an open start makes it the next one
 * to run, except a reboot that recorded its marker (the reconnect then finds out which system answers).
 */
export function nextPhase<P extends string>(phases: readonly PhaseSpec<P>[], mine: DeviceLines): Next<P> {
  if (mine.some((l) => l.kind === 'device-done')) return { kind: 'done', state: summaries(mine) };
  const state = summaries(mine);
  for (const spec of phases) {
    const own = mine.filter((l) => 'step' in l && l.step === spec.phase);
    const last = own.filter((l) => l.kind !== 'output').at(-1);
    if (last?.kind === 'step-finished') continue;
    if (last?.kind === 'step-started' && spec.onInterrupted === 'after-reboot-mark') {
      const startedAt = own.lastIndexOf(last);
      if (own.slice(startedAt).some((l) => l.kind === 'output' && l.data.rebootMarker)) continue;
    }
    return { kind: 'run', phase: spec.phase, spec, state };
  }
  return { kind: 'done', state };
}

function summaries(lines: DeviceLines): StepSummary {
  const state: StepSummary = {};
  for (const l of lines) if (l.kind === 'step-finished') Object.assign(state, l.data, { ms: undefined });
  return state;
}
