import { describe, expect, it } from 'vitest';
import { RateMeter } from '../../common/rate';

describe('upload rate and time left', () => {
  it('gives no time left in the first moments, then a smoothed one that does not jump with one odd interval', () => {
    const MiB = 2 ** 20;
    const m = new RateMeter(1024 * MiB, 0, 0);
    // Pipelined writes: the first acknowledgements come late, the early rate reads far too slow.
    expect(m.sample(1 * MiB, 500).etaSeconds).toBeNull();
    expect(m.sample(5 * MiB, 1000).etaSeconds).toBeNull();
    let bytes = 5 * MiB;
    let last = 0;
    for (let t = 1250; t <= 6000; t += 250) {
      bytes += 25 * MiB; // 100 MiB/s
      last = m.sample(bytes, t).etaSeconds!;
    }
    expect(last).toBeGreaterThan(4);
    expect(last).toBeLessThan(12);
    // One stalled interval moves the estimate part of the way, not to "forever".
    const after = m.sample(bytes, 6250).etaSeconds!;
    expect(after).toBeLessThan(last * 2);
  });

  it('a resumed upload measures only what it sends now', () => {
    const m = new RateMeter(10_000, 9_000, 0);
    expect(m.sample(9_010, 100).etaSeconds).toBeNull(); // 1 % of what is left, after 0.1 s: too early
    expect(m.sample(9_500, 2500).etaSeconds).toBeGreaterThan(0);
  });
});
