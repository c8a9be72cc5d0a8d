import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PdfPrinter } from './report-service';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/**
 * The browser host has no Electron printToPDF: the same HTML is printed by a headless Chromium on this
 * machine. The report has no script and a CSP that forbids every request, so the renderer's sandbox is
 * not what keeps it safe; it is still kept unless running as root, where Chromium refuses to start with it.
 */
export function chromiumPdfPrinter(binary = process.env.EAI_CHROMIUM ?? CANDIDATES.find((c) => existsSync(c))): PdfPrinter | undefined {
  if (!binary) return undefined;
  return async (html: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'eai-pdf-'));
    try {
      const page = join(dir, 'report.html');
      const out = join(dir, 'report.pdf');
      writeFileSync(page, html, { mode: 0o600 });
      const args = [
        '--headless',
        '--disable-gpu',
        '--no-first-run',
        '--no-pdf-header-footer',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--print-to-pdf=${out}`,
        pathToFileURL(page).href,
      ];
      if (process.getuid?.() === 0) args.unshift('--no-sandbox');
      await new Promise<void>((resolve, reject) =>
        execFile(binary, args, { timeout: 60_000 }, (err, _stdout, stderr) =>
          err && !existsSync(out)
            ? reject(new Error(`Chromium could not print the report: ${String(stderr).trim().split('\n').at(-1) ?? err.message}`))
            : resolve(),
        ),
      );
      return readFileSync(out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
