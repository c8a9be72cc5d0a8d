import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { AppError } from '../../../common/errors';
import { redactDeep } from '../../../common/redact';
import { buildReport } from '../../../common/report/build';
import { reportHtml } from '../../../common/report/html';
import { assetRegisterCsv } from '../../../common/report/assets';
import { labelSheetHtml } from './labels';
import { reportSchema, type Report } from '../../../common/report/schema';
import type { ReportFile, ReportFormat, RunSummary } from '../../../common/contract';
import { RunJournal } from '../runs/journal-file';

/** Prints self-contained HTML to PDF: Electron's printToPDF in the desktop app, headless Chromium in the browser host. */
export type PdfPrinter = (html: string) => Promise<Buffer>;

const FILES: Record<ReportFormat, { name: string; mimeType: string }> = {
  json: { name: 'report.json', mimeType: 'application/json' },
  schema: { name: 'report.schema.json', mimeType: 'application/schema+json' },
  html: { name: 'report.html', mimeType: 'text/html' },
  pdf: { name: 'report.pdf', mimeType: 'application/pdf' },
  assets: { name: 'assets.csv', mimeType: 'text/csv' },
  labels: { name: 'labels.pdf', mimeType: 'application/pdf' },
};

export function reportJsonSchema(): object {
  return zodToJsonSchema(reportSchema, { name: 'EdgeAgentInstallerReport', $refStrategy: 'none' });
}

/**
 * Reports of past and current runs, from their journals. Every report passes through the one redaction
 * function (each string, before serialising) with every secret known this session, even though the
 * journal was already redacted when written: a report may be made in a later session, and a secret typed
 * since then must not leak either.
 */
export class ReportService {
  constructor(
    private readonly dataDir: string,
    private readonly secrets: () => (string | undefined)[],
    private readonly printer?: PdfPrinter,
  ) {}

  private get runsDir(): string {
    return join(this.dataDir, 'runs');
  }

  list(): RunSummary[] {
    return RunJournal.list(this.runsDir)
      .flatMap((runId) => {
        try {
          const r = this.get(runId);
          return [
            {
              runId,
              kind: r.kind,
              siteName: r.site.name,
              startedAt: r.startedAt,
              finishedAt: r.finishedAt,
              result: r.result,
              devices: r.devices.length,
            },
          ];
        } catch {
          return []; // a journal without context (older app version) has no report
        }
      })
      .reverse();
  }

  get(runId: string): Report {
    const events = RunJournal.read(this.runsDir, runId);
    if (!events.length)
      throw new AppError({
        code: 'NOT_FOUND',
        message: `There is no run ${runId} in this app's data folder.`,
        fix: 'Choose a run from the history.',
      });
    let report: Report;
    try {
      report = buildReport(runId, events, new Date().toISOString());
    } catch (err) {
      throw new AppError({ code: 'INVALID_INPUT', message: (err as Error).message, fix: 'Run the install again to get a report.' });
    }
    return reportSchema.parse(redactDeep(report, this.secrets()));
  }

  async file(runId: string, format: ReportFormat): Promise<ReportFile> {
    const report = this.get(runId);
    const { name, mimeType } = FILES[format];
    const data = await this.render(report, format);
    return {
      fileName: `${report.site.name ? slug(report.site.name) + '-' : ''}${runId}-${name}`,
      mimeType,
      base64: data.toString('base64'),
    };
  }

  /** Writes every format into reports/<runId>/ in the data folder; returns what was written, with sums. */
  async export(runId: string): Promise<{ folder: string; files: { name: string; size: number; sha256: string }[] }> {
    const report = this.get(runId);
    const folder = join(this.dataDir, 'reports', runId);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const files = [];
    for (const format of Object.keys(FILES) as ReportFormat[]) {
      if ((format === 'pdf' || format === 'labels') && !this.printer) continue;
      const data = await this.render(report, format);
      writeFileSync(join(folder, FILES[format].name), data, { mode: 0o600 });
      files.push({ name: FILES[format].name, size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    }
    return { folder, files };
  }

  private async render(report: Report, format: ReportFormat): Promise<Buffer> {
    switch (format) {
      case 'json':
        return jsonBytes(report);
      case 'schema':
        return Buffer.from(JSON.stringify(reportJsonSchema(), null, 2) + '\n');
      case 'html':
        return Buffer.from(reportHtml(report, { jsonSha256: jsonSha(report) }));
      case 'assets':
        return Buffer.from(assetRegisterCsv(report));
      case 'labels':
        return this.pdf(await labelSheetHtml(report));
      case 'pdf':
        return this.pdf(reportHtml(report, { jsonSha256: jsonSha(report) }));
    }
  }

  private pdf(html: string): Promise<Buffer> {
    if (!this.printer)
      throw new AppError({
        code: 'INVALID_INPUT',
        message: 'No PDF printer on this machine (neither Electron nor Chromium was found).',
        fix: 'Export the HTML report and print it to PDF from a browser.',
      });
    return this.printer(html);
  }
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
}

/** The JSON report's bytes, and their sha256: the HTML and PDF made from the same report name it in their footer. */
function jsonBytes(report: Report): Buffer {
  return Buffer.from(JSON.stringify(report, null, 2) + '\n');
}
function jsonSha(report: Report): string {
  return createHash('sha256').update(jsonBytes(report)).digest('hex');
}
