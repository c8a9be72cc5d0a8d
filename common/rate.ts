/**
 * Transfer rate and time left, smoothed: the first moments of an upload (pipelined writes not yet
 * acknowledged) read far slower than the link, which showed "7 min 48 s left" dropping to seconds. No ETA is
 * given until 2 s or 2 % of the work has gone by; after that the rate is an exponential moving average of the
 * rate over each report interval, so one slow or fast interval moves it only part of the way.
 */
export class RateMeter {
  private rate: number | null = null;
  private lastT: number;
  private lastBytes: number;

  constructor(
    private readonly total: number,
    private readonly startBytes: number,
    private readonly startT: number,
    private readonly weight = 0.3,
  ) {
    this.lastT = startT;
    this.lastBytes = startBytes;
  }

  /** Bytes done so far at time t (ms): the smoothed rate (bytes/s) and seconds left, or null while too early. */
  sample(bytes: number, t: number): { rateBytesPerSec: number; etaSeconds: number | null } {
    const dt = t - this.lastT;
    if (dt > 0) {
      const inst = ((bytes - this.lastBytes) / dt) * 1000;
      this.rate = this.rate === null ? inst : this.weight * inst + (1 - this.weight) * this.rate;
      this.lastT = t;
      this.lastBytes = bytes;
    }
    const rate = this.rate ?? 0;
    const early = t - this.startT < 2000 && bytes - this.startBytes < (this.total - this.startBytes) * 0.02;
    return { rateBytesPerSec: rate, etaSeconds: early || rate <= 0 ? null : Math.max(0, (this.total - bytes) / rate) };
  }
}
