import { Resvg } from '@resvg/resvg-js';
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../common/report/schema';
import { labelName, labelSheetHtml } from '../../main/services/report/labels';

const device = (over: Partial<Report['devices'][number]>) =>
  ({ label: '10.12.0.11', address: '10.12.0.11', hostName: null, edgeHostName: null, serial: null, ...over }) as Report['devices'][number];

/** Reads a QR code back the way a phone would: the SVG rendered to pixels, then decoded. */
function decode(svg: string): string | null {
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: 300 }, background: 'white' }).render();
  const rgba = new Uint8ClampedArray(png.pixels);
  return jsQR(rgba, png.width, png.height)?.data ?? null;
}

describe('device label sheet', () => {
  it('one label per device; each QR code reads back as the name printed beside it', async () => {
    const report = {
      runId: 'r-20261202',
      site: { name: 'Store <12>', technician: 'Robin' },
      devices: [
        device({ edgeHostName: 'store12-edge-a', hostName: 'store12-a', serial: 'SN4C1201A' }),
        device({ address: '10.12.0.12', hostName: 'store12-b' }),
        device({ address: '10.12.0.13', label: '10.12.0.13' }),
      ],
    } as unknown as Report;
    const html = await labelSheetHtml(report);
    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(svgs).toHaveLength(3);
    expect(svgs.map(decode)).toEqual(['store12-edge-a', 'store12-b', '10.12.0.13']);
    expect(report.devices.map(labelName)).toEqual(['store12-edge-a', 'store12-b', '10.12.0.13']);
    expect(html).toContain('S/N SN4C1201A');
    expect(html).toContain('Store &lt;12&gt;');
    expect(html).toMatch(/@page \{ size: A4/);
  });
});
