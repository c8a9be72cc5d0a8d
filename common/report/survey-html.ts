import type { ChecksView, SiteSurveyView } from '../contract';
import type { SiteIssue } from '../site/issues';
import { html, Markup, REPORT_STYLE } from './html';

/**
 * The readiness report of `eai survey`: what a customer receives before the install day. Every device with every
 * check (measured against required, and the public source of the rule), the site checks made from the devices
 * (VIP free, gateway, DNS, proxy, clock, Palette endpoint), the site's own issues, and at the top what blocks
 * the install. Same style and guarantees as the install report: one self-contained file, no script, every value
 * escaped; the same file is printed to PDF.
 */
export interface SurveyReport {
  siteName: string;
  technician: string;
  createdAt: string;
  devices: { id: string; label: string; address: string }[];
  checks: ChecksView;
  survey: SiteSurveyView;
  siteIssues: SiteIssue[];
  blocks: string[];
}

const MARK: Record<string, string> = { pass: '✓ pass', warn: '! warn', block: '✕ block', unknown: '? unknown' };

export function surveyHtml(r: SurveyReport): string {
  const title = `Readiness survey — ${r.siteName || 'unnamed site'}`;
  const ready = r.blocks.length === 0;
  const verdict = (id: string) => {
    const d = r.checks.devices.find((x) => x.deviceId === id);
    if (!d) return 'not read';
    const blocks = d.results.filter((x) => x.status === 'block' && !x.override).length;
    const warns = d.results.filter((x) => x.status === 'warn' || x.status === 'unknown').length;
    return blocks ? `${blocks} block${blocks === 1 ? '' : 's'}` : warns ? `ready, ${warns} warning${warns === 1 ? '' : 's'}` : 'ready';
  };
  const body = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${new Markup(REPORT_STYLE)}
        </style>
      </head>
      <body>
        <header>
          <h1>${title}</h1>
          <p class="banner" data-ready="${String(ready)}">
            ${ready ? 'Ready to install: nothing blocks it.' : `Not ready: ${r.blocks.length} thing${r.blocks.length === 1 ? '' : 's'} block the install.`}
          </p>
          <table>
            <tbody>
              <tr>
                <th scope="row">Site</th>
                <td>${r.siteName}</td>
              </tr>
              <tr>
                <th scope="row">Technician</th>
                <td>${r.technician}</td>
              </tr>
              <tr>
                <th scope="row">Surveyed</th>
                <td>${r.createdAt}</td>
              </tr>
              <tr>
                <th scope="row">Changed on the devices</th>
                <td>nothing (a survey only reads)</td>
              </tr>
            </tbody>
          </table>
        </header>
        ${
          r.blocks.length
            ? html`<h2>What blocks the install</h2>
                <ul>
                  ${r.blocks.map((b) => html`<li>${b}</li>`)}
                </ul>`
            : ''
        }
        <h2>Devices</h2>
        <table>
          <thead>
            <tr>
              <th>Device</th>
              <th>Address</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            ${r.devices.map(
              (d) =>
                html`<tr>
                  <td>${d.label}</td>
                  <td class="mono">${d.address}</td>
                  <td>${verdict(d.id)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${
          r.checks.plan.length
            ? html`<h2>The plan</h2>
                <ul>
                  ${r.checks.plan.map((p) => html`<li class="s-${p.severity}">${p.severity}: ${p.message} ${p.fix} (${p.sourceUrl})</li>`)}
                </ul>`
            : ''
        }
        ${
          r.siteIssues.length
            ? html`<h2>Site properties</h2>
                <ul>
                  ${r.siteIssues.map((i) => html`<li class="s-${i.severity}">${i.severity}: ${i.message}</li>`)}
                </ul>`
            : ''
        }
        ${r.devices.map((d) => {
          const results = r.checks.devices.find((x) => x.deviceId === d.id)?.results ?? [];
          const site = r.survey.find((x) => x.deviceId === d.id);
          return html`<section class="device">
            <h2>${d.label} <span class="mono">${d.address}</span></h2>
            <h3>Requirements</h3>
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th>Check</th>
                    <th>Result</th>
                    <th>Measured</th>
                    <th>Required</th>
                    <th>Source</th>
                  </tr>
                </thead>
                <tbody>
                  ${results.map(
                    (c) =>
                      html`<tr>
                        <td>${c.title}</td>
                        <td class="s-${c.status}">
                          ${MARK[c.status] ?? c.status}${c.override ? html`<br />overridden: ${c.override.reason}` : ''}
                        </td>
                        <td>${c.measured}</td>
                        <td>${c.required}</td>
                        <td class="mono">${c.sourceUrl || c.why}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            ${
              site
                ? html`<h3>Checked from the device</h3>
                    ${site.error ? html`<p class="s-block">${site.error}</p>` : ''}
                    <table>
                      <thead>
                        <tr>
                          <th>Check</th>
                          <th>Result</th>
                          <th>What was seen</th>
                          <th>What to do</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${site.checks.map(
                          (c) =>
                            html`<tr>
                              <td>${c.title} <span class="mono">${c.target}</span></td>
                              <td class="s-${c.status}">${MARK[c.status] ?? c.status}</td>
                              <td>${c.detail}</td>
                              <td>${c.status === 'pass' ? '' : c.fix}</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>`
                : ''
            }
          </section>`;
        })}
      </body>
    </html>`;
  return body.text;
}
