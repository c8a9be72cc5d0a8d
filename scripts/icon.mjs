#!/usr/bin/env node
// `npm run icon`: renders assets/icon.svg (the source) to the 1024 px assets/icon.png electron-builder derives
// every other size from, with resvg (a maintained SVG renderer). `--check` only says whether the PNG in the
// repository is what the SVG renders to now (the static layer of `npm test` runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

export function renderIcon() {
  const svg = readFileSync('assets/icon.svg');
  return new Resvg(svg, { fitTo: { mode: 'width', value: 1024 }, background: 'rgba(0,0,0,0)' }).render();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const img = renderIcon();
  const png = img.asPng();
  if (process.argv.includes('--check')) {
    let current = null;
    try {
      current = readFileSync('assets/icon.png');
    } catch {
      /* missing */
    }
    const ok = img.width === 1024 && img.height === 1024 && current !== null && Buffer.compare(current, png) === 0;
    process.stdout.write(
      ok
        ? 'icon: assets/icon.png is the 1024 px render of assets/icon.svg\n'
        : 'icon: assets/icon.png is missing or stale: run npm run icon\n',
    );
    process.exit(ok ? 0 : 1);
  }
  writeFileSync('assets/icon.png', png);
  process.stdout.write(`icon: wrote assets/icon.png (${img.width}×${img.height}, ${png.length} bytes)\n`);
}
