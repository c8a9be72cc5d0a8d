import { SOURCES } from '../requirements/sources';

/**
 * Whether to compress a bundle on its way to the device: pure, so the rule is the same in the window, the CLI and
 * the tests. zstd is a prerequisite of every agent-mode host (ZSTD_SOURCE; the Check step blocks a host without
 * it), so the device can decompress what this laptop compresses; the upload still asks the device for it first.
 * Compression pays when the link is the bottleneck, and not when the CPU is.
 */
export const ZSTD_SOURCE = SOURCES.install;

export interface CompressionSample {
  /** Compressed size over raw size, measured on samples of this bundle. */
  ratio: number;
  /** Raw bytes per second this laptop compresses (off the event loop, in a worker). */
  bytesPerSec: number;
}

export interface CompressionChoice {
  method: 'zstd' | 'none';
  /** In words, for the device's output and the report. */
  reason: string;
  /** The speed-up the choice expects over sending as is (1 when sent as is). */
  expected: number;
}

/** Below this gain the switch is not worth its cost (a second channel, the device hashing the .part again). */
export const MIN_GAIN = 1.25;
/** Less than this left to send: not worth switching. */
export const MIN_REMAINING = 16 * 2 ** 20;

const mbs = (b: number) => `${(b / 1e6).toFixed(b < 100e6 ? 1 : 0)} MB/s`;
const pct = (r: number) => `${Math.round(r * 100)} %`;

/** A sample above this ratio (or no sample at all) rules compression out whatever the link: too little to gain. */
const MAX_RATIO = 0.9;

/** True when the sample alone rules compression out: the bundle could not be sampled or hardly compresses. */
export function hardlyCompresses(sample: CompressionSample | null): boolean {
  return !sample || sample.ratio > MAX_RATIO;
}

/**
 * With zstd the device receives `link / ratio` raw bytes per second, unless this laptop cannot compress that
 * fast (the device's decompression, at several hundred MB/s, is never the limit).
 */
export function chooseCompression(i: {
  zstdOnDevice: boolean;
  linkBytesPerSec: number;
  sample: CompressionSample | null;
  remainingBytes: number;
}): CompressionChoice {
  const none = (reason: string): CompressionChoice => ({ method: 'none', reason, expected: 1 });
  if (!i.zstdOnDevice) return none('The device has no zstd: the bundle goes as it is.');
  if (i.remainingBytes < MIN_REMAINING) return none('Too little is left to send for compression to pay: it goes as it is.');
  if (!i.sample) return none('The bundle could not be sampled: it goes as it is.');
  if (hardlyCompresses(i.sample)) return none(`The bundle hardly compresses (to ${pct(i.sample.ratio)}): it goes as it is.`);
  const link = Math.max(1, i.linkBytesPerSec);
  const expected = Math.min(link / i.sample.ratio, i.sample.bytesPerSec) / link;
  if (expected < MIN_GAIN)
    return none(
      `The link carries ${mbs(link)}; this laptop compresses ${mbs(i.sample.bytesPerSec)} (to ${pct(i.sample.ratio)}), which would not be faster: the CPU, not the link, sets the pace. The bundle goes as it is.`,
    );
  return {
    method: 'zstd',
    reason: `The link carries ${mbs(link)} and the bundle compresses to ${pct(i.sample.ratio)}: it is compressed on the fly with zstd and unpacked by the device's own zstd, about ${expected.toFixed(1)}× faster.`,
    expected,
  };
}
