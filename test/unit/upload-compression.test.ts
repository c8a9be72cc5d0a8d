import { describe, expect, it } from 'vitest';
import { chooseCompression, MIN_REMAINING } from '../../common/upload/compression';

const MB = 1e6;
const GiB = 2 ** 30;
const binaries = { ratio: 0.4, bytesPerSec: 110 * MB }; // what this machine's /usr/bin and /usr/lib measure at level 3

describe('compress the upload or not', () => {
  it('a 100 Mbit/s site link and a bundle of binaries: zstd, and says why with the figures', () => {
    const c = chooseCompression({ zstdOnDevice: true, linkBytesPerSec: 11.8 * MB, sample: binaries, remainingBytes: GiB });
    expect(c.method).toBe('zstd');
    expect(c.expected).toBeCloseTo(2.5, 1);
    expect(c.reason).toMatch(/11\.8 MB\/s.*40 %.*zstd.*2\.5×/);
  });

  it('a link faster than this laptop compresses: as it is, and the CPU is named as the limit', () => {
    const c = chooseCompression({ zstdOnDevice: true, linkBytesPerSec: 112 * MB, sample: binaries, remainingBytes: GiB });
    expect(c).toMatchObject({ method: 'none', expected: 1 });
    expect(c.reason).toMatch(/112 MB\/s.*CPU, not the link/);
  });

  it('a slow CPU on a gigabit link gains little: as it is', () => {
    const slow = { ratio: 0.4, bytesPerSec: 60 * MB };
    expect(chooseCompression({ zstdOnDevice: true, linkBytesPerSec: 50 * MB, sample: slow, remainingBytes: GiB }).method).toBe('none');
    // …while on a 100 Mbit/s link the same CPU still pays off.
    expect(chooseCompression({ zstdOnDevice: true, linkBytesPerSec: 12 * MB, sample: slow, remainingBytes: GiB }).method).toBe('zstd');
  });

  it('random or already compressed data, no zstd on the device, or too little left: as it is, each with its own reason', () => {
    const noGain = chooseCompression({
      zstdOnDevice: true,
      linkBytesPerSec: 5 * MB,
      sample: { ratio: 0.99, bytesPerSec: 300 * MB },
      remainingBytes: GiB,
    });
    expect(noGain.method).toBe('none');
    expect(noGain.reason).toMatch(/hardly compresses \(to 99 %\)/);
    const noZstd = chooseCompression({ zstdOnDevice: false, linkBytesPerSec: 5 * MB, sample: binaries, remainingBytes: GiB });
    expect(noZstd.reason).toMatch(/no zstd/);
    const little = chooseCompression({ zstdOnDevice: true, linkBytesPerSec: 5 * MB, sample: binaries, remainingBytes: MIN_REMAINING - 1 });
    expect(little.reason).toMatch(/Too little is left/);
    expect(chooseCompression({ zstdOnDevice: true, linkBytesPerSec: 5 * MB, sample: null, remainingBytes: GiB }).method).toBe('none');
  });
});
