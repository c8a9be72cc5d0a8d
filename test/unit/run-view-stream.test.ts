import { describe, expect, it, vi } from 'vitest';
import type { DeviceRunView, RunView } from '../../common/install/model';
import { coalesce } from '../../main/services/runs/coalesce';
import { shareUnchanged } from '../../renderer/src/run-sharing';

const device = (id: string, over: Partial<DeviceRunView> = {}): DeviceRunView => ({ deviceId: id, phase: 'upload', log: ['a'], ...over });
const view = (devices: DeviceRunView[]): RunView => ({
  runId: 'r1',
  startedAt: '2026-12-03T10:00:00.000Z',
  bundle: { fileName: 'b.tar', sha256: 'x', size: 1, arch: 'amd64' },
  devices,
  finished: false,
});

describe('a run view streamed to the window', () => {
  it('main sends at most one view per interval, always the latest, the last never lost', () => {
    vi.useFakeTimers();
    try {
      const sent: number[] = [];
      const box = coalesce<number>((v) => sent.push(v), 150);
      box.push(1); // the first goes at once
      for (let i = 2; i <= 100; i++) box.push(i); // a burst: only the latest is kept
      expect(sent).toEqual([1]);
      vi.advanceTimersByTime(150);
      expect(sent).toEqual([1, 100]);
      box.push(101);
      box.flush(); // a finished run goes out now
      expect(sent).toEqual([1, 100, 101]);
      vi.advanceTimersByTime(1000);
      expect(sent).toEqual([1, 100, 101]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('the window keeps the device objects that did not change, so only the cards that moved render again', () => {
    const a = device('a');
    const b = device('b', { progress: { bytes: 10, total: 100, rateBytesPerSec: 1, etaSeconds: 90 } });
    const prev = view([a, b]);
    const next = shareUnchanged(
      prev,
      view([device('a'), device('b', { progress: { bytes: 20, total: 100, rateBytesPerSec: 1, etaSeconds: 80 } })]),
    );
    expect(next.devices[0]).toBe(a);
    expect(next.devices[1]).not.toBe(b);
    expect(next.devices[1]!.progress!.bytes).toBe(20);
    // A new output line is a change; another run is never mixed in.
    expect(shareUnchanged(prev, view([device('a', { log: ['a', 'b'] }), b])).devices[0]).not.toBe(a);
    const other = { ...view([device('a')]), runId: 'r2' };
    expect(shareUnchanged(prev, other)).toBe(other);
  });
});
