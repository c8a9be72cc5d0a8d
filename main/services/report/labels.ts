import QRCode from 'qrcode';
import { escapeHtml } from '../../../common/report/html';
import type { Report } from '../../../common/report/schema';

/** The name printed on a device's label and carried by its QR code: the edge host name, else its host name. */
export function labelName(d: Report['devices'][number]): string {
  return d.edgeHostName || d.hostName || d.label;
}

/**
 * A printable sheet with one label per device (A4, 3 × 8 labels of 63.5 × 33.9 mm, the common address-label
 * layout): the edge host name large, a QR code of it (error correction M, so a scuffed label still reads), and the
 * address, serial and run id small. Self-contained HTML, printed to PDF like the report.
 */
export async function labelSheetHtml(report: Report): Promise<string> {
  const labels = await Promise.all(
    report.devices.map(async (d) => {
      const name = labelName(d);
      const svg = await QRCode.toString(name, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return `<div class="label"><div class="qr">${svg}</div><div class="text"><div class="name">${escapeHtml(name)}</div><div class="meta">${escapeHtml(d.address)}${d.serial ? `<br>S/N ${escapeHtml(d.serial)}` : ''}<br>${escapeHtml(report.runId)}</div></div></div>`;
    }),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Device labels — ${escapeHtml(report.site.name)}</title>
<style>
@page { size: A4; margin: 13mm 7mm; }
body { margin: 0; font-family: system-ui, sans-serif; }
.sheet { display: grid; grid-template-columns: repeat(3, 63.5mm); grid-auto-rows: 33.9mm; column-gap: 2.5mm; }
.label { display: flex; align-items: center; gap: 2mm; padding: 1.5mm; box-sizing: border-box; overflow: hidden; break-inside: avoid; }
.qr svg { width: 28mm; height: 28mm; display: block; }
.name { font-size: 11pt; font-weight: 700; word-break: break-all; }
.meta { font-size: 7pt; color: #333; margin-top: 1mm; }
</style></head>
<body><div class="sheet">${labels.join('\n')}</div></body></html>
`;
}
