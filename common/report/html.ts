import type { Report, ReportDevice } from './schema';

/**
 * The report as one self-contained HTML file: inline styles, no script, no external request (its CSP
 * says so to the browser too), readable on a phone, printable (the same file becomes the PDF).
 *
 * Every interpolated value is escaped by the `html` tag unless it is already markup made by the tag:
 * device output and typed reasons cannot inject markup.
 */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Value = string | number | boolean | null | undefined | Markup | Value[];
function piece(v: Value): string {
  if (v instanceof Markup) return v.text;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  return new Markup(strings.reduce((out, s, i) => out + s + (i < values.length ? piece(values[i]) : ''), ''));
}

const RESULT_WORDS: Record<Report['result'], string> = {
  success: 'Every device installed and verified',
  partial: 'Some devices did not finish',
  failed: 'No device finished',
  interrupted: 'The run was interrupted',
};
const STATUS_MARK: Record<string, string> = {
  pass: '✓ pass',
  warn: '! warn',
  block: '✕ block',
  unknown: '? unknown',
  ok: '✓ ok',
  failed: '✕ failed',
  interrupted: '… interrupted',
};

export const REPORT_STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45;color:#111}
body{margin:0 auto;max-width:60rem;padding:1rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin-top:1.6rem;border-bottom:2px solid #333}h3{font-size:1.1rem;margin-top:1.2rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0;font-size:.92rem}th,td{border:1px solid #999;padding:.25rem .4rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#eee}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;overflow-wrap:anywhere}
.s-pass,.s-ok{color:#0a5d0a}.s-warn{color:#7a4d00}.s-block,.s-failed{color:#a00}.s-interrupted,.s-unknown{color:#555}
.banner{border:2px solid #333;padding:.6rem;font-weight:600}.device{break-inside:avoid-page}
.scroll{overflow-x:auto}
@media (max-width:40rem){body{padding:.5rem}table{font-size:.8rem}}
.summary{break-after:page}.signoff{break-before:page}.sign{display:inline-block;width:45%;vertical-align:top;margin-right:4%}
.line{display:inline-block;min-width:14rem;border-bottom:1px solid #333;min-height:1.2em}
@media print{body{max-width:none}h2{break-after:avoid}a{color:inherit}}
`;

/**
 * `jsonSha256`: the sha256 of the JSON report written beside this one (the export folder lists every sum); each
 * printed page's footer names it with the run id and "page n of m", so a page torn from the PDF still says
 * what it belongs to. CSS paged-media margin boxes carry the footer (Chromium prints them; no script).
 */
export function reportHtml(r: Report, opts: { jsonSha256?: string } = {}): string {
  const title = `${r.kind === 'upgrade' ? 'Agent upgrade' : r.kind === 'uninstall' ? 'Agent uninstall' : 'Agent install'} report — ${r.site.name || 'unnamed site'}`;
  const body = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${new Markup(REPORT_STYLE)}
          ${new Markup(pageFooter(r.runId, opts.jsonSha256))}
        </style>
      </head>
      <body>
        <header>
          <h1>${title}</h1>
          <p class="banner" data-result="${r.result}">${RESULT_WORDS[r.result]}</p>
          ${table([
            ['Site', r.site.name],
            ['Technician', r.site.technician],
            ['Started', r.startedAt],
            ['Finished', r.finishedAt ?? 'not finished'],
            ['Run', r.runId],
            ['Report made', r.generatedAt],
          ])}
        </header>
        ${summarySection(r)}
        <h2>Bundle</h2>
        ${table([
          ...(r.bundle
            ? ([
                ['File', r.bundle.fileName],
                ['Size', `${r.bundle.size} bytes`],
                ['SHA-256', html`<span class="mono">${r.bundle.sha256}</span>`],
                ['Architecture', r.bundle.arch],
                ['Agent version', r.bundle.agentVersion ?? 'not read'],
              ] as [string, Value][])
            : ([['File', 'none: an uninstall sends no bundle']] as [string, Value][])),
        ])}
        <h2>Plan</h2>
        ${table([
          ['Topology', r.plan.topology],
          ['Distribution', `${r.plan.distribution} ${r.plan.kubernetesVersion}`],
          ['Agent', r.plan.flavour],
          ['Management', r.plan.mode],
          ['CNI', r.plan.cni],
          ...r.plan.issues.map((i): [string, Value] => [`Plan ${i.severity}`, i.message]),
        ])}
        ${
          r.upgrade
            ? html`<h2>Upgrade paths</h2>
                ${table([
                  ...r.upgrade.paths.map((p): [string, Value] => [p.device, `${p.title}${p.documented ? '' : ' — not a documented path'}`]),
                  ['Order', r.upgrade.order.join(' → ') || 'none'],
                  ['Why this order', r.upgrade.orderReason],
                ])}`
            : ''
        }
        <h2>Site properties</h2>
        ${table(r.siteProperties.map((p): [string, Value] => [p.name, p.value]))}
        <h2>Hand-off</h2>
        ${table([
          ['Cluster endpoint', r.handoff.endpoint],
          ['Leader', r.handoff.leader ?? 'none'],
        ])}
        <ol>
          ${r.handoff.nextSteps.map((s) => html`<li>${s}</li>`)}
        </ol>
        <h2>Devices</h2>
        ${r.devices.map(deviceSection)} ${signOff(r)}
      </body>
    </html>`;
  return body.text;
}

function table(rows: [string, Value][]): Markup {
  return html`<div class="scroll">
    <table>
      <tbody>
        ${rows.map(
          ([k, v]) =>
            html`<tr>
              <th scope="row">${k}</th>
              <td>${v}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function deviceSection(d: ReportDevice): Markup {
  return html`<section class="device" data-device="${d.address}">
    <h3>${d.label}${d.leader ? ' (leader)' : ''} — ${d.result === 'done' ? '✓ installed and verified' : `✕ ${d.result}`}</h3>
    ${d.error ? html`<p class="s-failed">${d.error}</p>` : ''}
    ${table([
      ['Address', d.address],
      ['Role', d.role ?? 'none'],
      ['Host name', d.hostName ?? 'unknown'],
      ['Machine ID', html`<span class="mono">${d.machineId ?? 'unknown'}</span>`],
      ['Serial', d.serial ?? 'not readable'],
      ['Host key', html`<span class="mono">${d.hostKey ?? 'local'}</span>`],
      ['Addresses', d.addresses.join(', ')],
      [
        'Hardware',
        `${d.hardware.arch}, ${d.hardware.cpuCores ?? '?'} cores${d.hardware.cpuModel ? ` (${d.hardware.cpuModel})` : ''}, ${d.hardware.memory} memory`,
      ],
      ['Disks', `${d.hardware.disks.join('; ')}${d.hardware.rootDisk ? ` — / on ${d.hardware.rootDisk}` : ''}`],
      ['OS', `${d.os.name ?? 'unknown'}, kernel ${d.os.kernel ?? 'unknown'}`],
      ['Agent before', d.versionBefore ?? 'none'],
      ['Agent after', d.versionAfter ?? 'not verified'],
      ['Upload', d.upload ?? '—'],
      ['Staging space returned', d.stagingFreed ?? '—'],
      ...(d.localUi
        ? ([
            [
              'Local UI',
              d.localUi.answered
                ? `${d.localUi.url} — certificate SHA-256 ${d.localUi.fingerprint ?? '?'}`
                : `did not answer at ${d.localUi.url} within ${d.localUi.limitSec} s`,
            ],
            ['Local UI sign-in', d.localUi.users.length ? d.localUi.users.join(', ') : 'no OS user with a password was found'],
          ] as [string, Value][])
        : []),
    ])}
    ${
      d.localUi && !d.localUi.answered && d.localUi.journal?.length
        ? html`<h4>The agent's journal (Local UI did not answer)</h4>
            <pre>${d.localUi.journal.join('\n')}</pre>`
        : ''
    }
    <h4>Checks</h4>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Check</th>
            <th>Result</th>
            <th>Measured</th>
            <th>Required</th>
            <th>Override</th>
          </tr>
        </thead>
        <tbody>
          ${d.checks.map(
            (c) =>
              html`<tr data-check="${c.id}">
                <td>${c.title}</td>
                <td class="s-${c.status}">${STATUS_MARK[c.status]}</td>
                <td>${c.measured}</td>
                <td>${c.required}</td>
                <td>${c.override ? html`Overridden by ${c.override.technician} at ${c.override.at}: ${c.override.reason}` : ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <h4>Steps</h4>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Step</th>
            <th>Started</th>
            <th>Took</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          ${d.steps.map(
            (s) =>
              html`<tr data-step="${s.step}">
                <td>${s.title}</td>
                <td>${s.startedAt}</td>
                <td>${s.durationMs === null ? '' : `${(s.durationMs / 1000).toFixed(1)} s`}</td>
                <td class="s-${s.result}">${STATUS_MARK[s.result]}${s.error ? html`: ${s.error}` : ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <h4>Verification</h4>
    <ul>
      ${d.verification.length ? d.verification.map((v) => html`<li class="${v.ok ? 's-ok' : v.required === false ? 's-warn' : 's-failed'}">${v.ok ? '✓' : v.required === false ? '◌' : '✕'} ${v.name}${v.required === false && !v.ok ? ' (not required yet)' : ''}: ${v.detail}</li>`) : html`<li>not verified</li>`}
    </ul>
  </section>`;
}

/** CSS strings for the footer: quotes and backslashes escaped, nothing else can come from outside (the run id is ours). */
const cssString = (s: string) => `"${s.replace(/[\\"]/g, '\\$&').replace(/[\n\r]/g, ' ')}"`;

function pageFooter(runId: string, jsonSha256?: string): string {
  const ref = jsonSha256 ? `report.json sha256 ${jsonSha256.slice(0, 16)}…` : 'report.json sha256: see the export folder';
  return `@page{margin:14mm 10mm 18mm;@bottom-left{content:${cssString(`Run ${runId}`)};font-size:8pt;color:#444}@bottom-center{content:"Page " counter(page) " of " counter(pages);font-size:8pt;color:#444}@bottom-right{content:${cssString(ref)};font-size:8pt;color:#444}}`;
}

/** Page one: what a customer reads in a minute. */
function summarySection(r: Report): Markup {
  const s = r.summary;
  return html`<section class="summary" data-testid="summary">
    <h2>Summary</h2>
    ${
      s.unfinished.length
        ? html`<p class="banner s-failed">Did not finish: ${s.unfinished.join(', ')}</p>`
        : html`<p class="banner s-ok">Every device finished.</p>`
    }
    ${table([
      ['Site', r.site.name],
      ['Date', s.date],
      ['Technician', r.site.technician],
    ])}
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Device</th>
            <th>Serial</th>
            <th>Address</th>
            <th>Agent</th>
            <th>Result</th>
            <th>Open overrides</th>
          </tr>
        </thead>
        <tbody>
          ${s.rows.map(
            (row) =>
              html`<tr>
                <td>${row.device}</td>
                <td>${row.serial ?? '—'}</td>
                <td>${row.address}</td>
                <td>${row.agentVersion ?? '—'}</td>
                <td class="${row.result === 'done' ? 's-ok' : 's-failed'}">${row.result}</td>
                <td>${row.openOverrides}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

/** The last page: where the technician and the customer sign. */
function signOff(r: Report): Markup {
  const who = (role: string, name: string) =>
    html`<div class="sign">
      <h3>${role}</h3>
      <p>Name: <span class="line">${name}</span></p>
      <p>Role: <span class="line"></span></p>
      <p>Signature: <span class="line"></span></p>
      <p>Date: <span class="line"></span></p>
    </div>`;
  return html`<section class="signoff" data-testid="signoff">
    <h2>Sign-off</h2>
    <p>Run ${r.runId}: ${RESULT_WORDS[r.result]}.</p>
    ${who('Technician', r.site.technician)} ${who('Customer', '')}
  </section>`;
}
