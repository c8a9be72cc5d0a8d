import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** A response header does not reach a window loaded from file:// (the packaged app): the page carries its policy too. */
describe('the renderer page carries its Content-Security-Policy', () => {
  const html = readFileSync(join(__dirname, '../../renderer/index.html'), 'utf8');
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];

  it('as a meta element, as strict as the header', () => {
    expect(meta).toBeDefined();
    const header = readFileSync(join(__dirname, '../../main/platform/window.ts'), 'utf8');
    const appCsp = /APP_CSP =\s*"([^"]+)"/.exec(header)![1]!;
    // frame-ancestors is ignored in a meta element; everything else is the same policy.
    expect(meta).toBe(appCsp.replace(" frame-ancestors 'none';", ''));
    expect(meta).not.toMatch(/unsafe-eval/);
    expect(meta).toMatch(/script-src 'self';/);
  });

  it('with an icon, so the browser asks for no favicon.ico that would 404', () => {
    expect(html).toMatch(/<link rel="icon" type="image\/svg\+xml" href="\/favicon.svg" \/>/);
    expect(readFileSync(join(__dirname, '../../renderer/public/favicon.svg'), 'utf8')).toBe(
      readFileSync(join(__dirname, '../../assets/icon.svg'), 'utf8'),
    );
  });
});
