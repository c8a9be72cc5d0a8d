import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../common/install/model';
import type { JournalLine } from '../../common/runs/journal';
import { defaultPlan } from '../../common/plan/model';
import { redact, redactDeep } from '../../common/redact';
import { buildReport } from '../../common/report/build';
import { escapeHtml, reportHtml } from '../../common/report/html';
import { reportSchema } from '../../common/report/schema';
import { checkDevice } from '../../common/requirements/evaluate';
import { defaultSite } from '../../common/site/model';
import { RunJournal } from '../../main/services/runs/journal-file';
import { ReportService, reportJsonSchema } from '../../main/services/report/report-service';
import { chromiumPdfPrinter } from '../../main/services/report/pdf-chromium';
import { goodFacts } from './fixtures-facts';

const SHA = 'a'.repeat(64);
const override = {
  deviceId: 'd1',
  checkId: 'cpu-cores',
  reason: 'Lab box <b>two</b> cores & "fine"',
  technician: 'Ada',
  at: '2026-11-29T08:00:00.000Z',
};

function context(over: Partial<RunContext> = {}): RunContext {
  const plan = {
    ...defaultPlan(),
    roles: { d1: 'control-plane' as const, d2: 'worker' as const },
    leader: 'd1',
    topology: 'multi' as const,
  };
  const facts = goodFacts({ cpuCores: 2, hostname: 'edge-1', serial: 'SN-123' });
  return {
    kind: 'install',
    siteName: 'Plant 7',
    technician: 'Ada',
    plan,
    site: { ...defaultSite(), endpoint: { kind: 'vip', vip: '10.0.0.240' }, localUiUser: { name: 'kairos', passwordHash: '' } },
    secretsSet: { edgeHostToken: false, proxyPassword: false },
    planIssues: [],
    devices: [
      {
        id: 'd1',
        label: '<img src=x onerror=alert(1)>',
        address: '10.0.0.11',
        hostKey: 'ssh-ed25519 SHA256:abc',
        facts,
        checks: checkDevice('d1', facts, plan, [override]),
        versionBefore: null,
      },
      {
        id: 'd2',
        label: 'edge-2',
        address: '10.0.0.12',
        hostKey: null,
        facts: goodFacts({ hostname: 'edge-2' }),
        checks: [],
        versionBefore: '4.6.0',
      },
    ],
    ...over,
  };
}

function journal(ctx = context(), finished = true): JournalLine[] {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 29, 9, 0, s)).toISOString();
  const ev: JournalLine[] = [
    {
      t: at(0),
      kind: 'run-started',
      data: {
        kind: 'install',
        bundle: { fileName: 'agent-mode-linux-amd64.tar', sha256: SHA, size: 1234, arch: 'amd64' },
        devices: ['d1', 'd2'],
      },
    },
    { t: at(0), kind: 'context', data: { ...ctx } },
    { t: at(1), kind: 'step-started', deviceId: 'd1', step: 'upload' },
    {
      t: at(4),
      kind: 'output',
      deviceId: 'd1',
      step: 'upload',
      data: {
        remotePath: '/var/lib/eai-staging/agent-mode-linux-amd64.tar',
        resumedFrom: 0,
        bytesSent: 2 ** 30,
        skipped: false,
        transferMs: 86_000,
        verifyMs: 0,
        compression: { method: 'zstd', reason: 'The link carries 11.8 MB/s and the bundle compresses to 40 %.', wireBytes: 0.4 * 2 ** 30 },
      },
    },
    { t: at(4), kind: 'step-finished', deviceId: 'd1', step: 'upload', data: { ms: 3000 } },
    { t: at(4), kind: 'step-started', deviceId: 'd1', step: 'stage' },
    { t: at(5), kind: 'step-finished', deviceId: 'd1', step: 'stage', data: { ms: 1000, version: '4.7.9' } },
    { t: at(9), kind: 'device-done', deviceId: 'd1', data: { version: '4.7.9', verify: [{ name: 'setup_done', ok: true, detail: 'ok' }] } },
    { t: at(1), kind: 'step-started', deviceId: 'd2', step: 'upload' },
    {
      t: at(2),
      kind: 'step-failed',
      deviceId: 'd2',
      step: 'upload',
      data: { ms: 1000, error: { code: 'COMMAND_FAILED', message: 'No space left.', fix: 'Free space.' } },
    },
  ];
  if (finished) ev.push({ t: at(10), kind: 'run-finished', data: { results: {} } });
  return ev;
}

describe('report model', () => {
  it('is built from the journal alone: identity, checks with the override and its reason, steps with timings, outcome', () => {
    const r = buildReport('run-1', journal(), '2026-11-29T10:00:00.000Z');
    expect(reportSchema.parse(r)).toEqual(r);
    expect(r.result).toBe('partial');
    expect(r.bundle).toMatchObject({ sha256: SHA, agentVersion: '4.7.9' });
    const [d1, d2] = r.devices;
    expect(d1).toMatchObject({
      hostName: 'edge-1',
      serial: 'SN-123',
      result: 'done',
      versionAfter: '4.7.9',
      leader: true,
      role: 'control-plane',
    });
    expect(d1!.checks.find((c) => c.id === 'cpu-cores')).toMatchObject({
      status: 'block',
      override: { reason: override.reason, technician: 'Ada' },
    });
    expect(d1!.steps.map((s) => [s.step, s.durationMs, s.result])).toEqual([
      ['upload', 3000, 'ok'],
      ['stage', 1000, 'ok'],
    ]);
    // How the bundle went, and why: in the report a customer keeps.
    expect(d1!.upload).toBe(
      '1.0 GiB in 86 s; sha256 checked on the device, compressed with zstd (410 MiB on the link). The link carries 11.8 MB/s and the bundle compresses to 40 %.',
    );
    expect(reportHtml(r)).toContain('compressed with zstd');
    expect(d2).toMatchObject({ result: 'failed', error: 'No space left. What to do: Free space.', versionBefore: '4.6.0', upload: null });
    expect(r.handoff.endpoint).toBe('VIP 10.0.0.240');
    expect(r.handoff.nextSteps.join(' ')).toContain('Finish these devices first');
    expect(r.handoff.nextSteps.join(' ')).toContain('https://10.0.0.11:5080');
  });

  it('says a run without its end is interrupted, and a step without its end too', () => {
    const ev = journal(context(), false);
    ev.push({ t: '2026-11-29T09:00:20.000Z', kind: 'step-started', deviceId: 'd1', step: 'reboot' });
    const r = buildReport('run-2', ev, '2026-11-29T10:00:00.000Z');
    expect(r.result).toBe('interrupted');
    expect(r.finishedAt).toBeNull();
    expect(r.devices[0]!.steps.at(-1)).toMatchObject({ step: 'reboot', result: 'interrupted', durationMs: null });
  });

  it('refuses a journal without context with a message that says why', () => {
    expect(() =>
      buildReport(
        'old',
        journal().filter((e) => e.kind !== 'context'),
        '2026-11-29T10:00:00.000Z',
      ),
    ).toThrow(/no context/);
  });

  it('exports JSON that validates against the generated JSON Schema (and a broken one does not)', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(reportJsonSchema());
    const r = buildReport('run-1', journal(), '2026-11-29T10:00:00.000Z');
    expect(validate(JSON.parse(JSON.stringify(r))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...r, bundle: { ...r.bundle, sha256: 'nope' } })).toBe(false);
    expect(validate({ ...r, schemaVersion: 2 })).toBe(false);
  });
});

describe('report HTML', () => {
  const page = reportHtml(buildReport('run-1', journal(), '2026-11-29T10:00:00.000Z'));
  it('escapes every value: a hostile device label or reason cannot add markup', () => {
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('Lab box &lt;b&gt;two&lt;/b&gt; cores &amp; &quot;fine&quot;');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
  it('is self-contained: no script, no external request, a CSP that forbids them', () => {
    expect(page).not.toMatch(/<(script|link|iframe|img|object|embed)\b|<[^>]+\s(src|href)=|url\(|@import/i);
    expect(page).toContain(`default-src 'none'`);
    expect(page).toContain(SHA);
    expect(page).toContain('name="viewport"');
  });
});

describe('the report a customer signs', () => {
  it('opens with a summary naming the devices that did not finish, and ends with a sign-off block', () => {
    const r = buildReport('run-1', journal(), '2026-11-29T10:00:00.000Z');
    expect(r.summary.unfinished).toEqual([r.devices[1]!.label]);
    expect(r.summary.rows[0]).toMatchObject({ serial: 'SN-123', agentVersion: '4.7.9', result: 'done', openOverrides: 1 });
    const page = reportHtml(r, { jsonSha256: 'ab'.repeat(32) });
    const summary = page.indexOf('data-testid="summary"');
    expect(summary).toBeGreaterThan(0);
    expect(summary).toBeLessThan(page.indexOf('<h2>Bundle</h2>'));
    expect(page).toContain(`Did not finish: ${escapeHtml(r.devices[1]!.label)}`);
    expect(page.lastIndexOf('data-testid="signoff"')).toBeGreaterThan(page.lastIndexOf('<h2>Devices</h2>'));
    expect(page).toMatch(/Signature:/);
    // Every printed page: the run, page n of m, and the sha256 of the JSON report written beside it.
    expect(page).toContain('@bottom-left{content:"Run run-1"');
    expect(page).toContain('content:"Page " counter(page) " of " counter(pages)');
    expect(page).toContain(`report.json sha256 ${'ab'.repeat(8)}`);
  });

  it.skipIf(!chromiumPdfPrinter())(
    'prints the footer on every page of the PDF, and the summary on page one',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'eai-rep-pdf-'));
      const svc = new ReportService(dir, () => [], chromiumPdfPrinter());
      const j = new RunJournal(join(dir, 'runs'), 'run-pdf', () => []);
      for (const e of journal()) j.append(e);
      const file = await svc.file('run-pdf', 'pdf');
      const pdf = join(dir, 'r.pdf');
      writeFileSync(pdf, Buffer.from(file.base64, 'base64'));
      const pages = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
        .split('\f')
        .filter((p) => p.trim());
      expect(pages.length).toBeGreaterThan(2);
      expect(pages[0]).toMatch(/Summary/);
      expect(pages[0]).toMatch(/Did not finish/);
      for (const [i, p] of pages.entries()) {
        expect(p).toContain(`Page ${i + 1} of ${pages.length}`);
        expect(p).toContain('Run run-pdf');
        expect(p).toMatch(/report\.json sha256 [0-9a-f]{16}/);
      }
      expect(pages.at(-1)).toMatch(/Sign-off[\s\S]*Signature/);
    },
    60_000,
  ); // Chromium prints the PDF: seconds on a loaded machine, never the 5 s default
});

describe('redaction at the boundary', () => {
  it('redacts inside every string before serialising, so JSON escaping cannot hide a secret', () => {
    const secret = 'pa"ss\\word';
    const obj = { a: [`x ${secret} y`], b: { c: secret } };
    expect(JSON.stringify(redactDeep(obj, [secret]))).not.toContain('pa\\"ss');
    // Redacting JSON text also catches the escaped form, and the URL-encoded one:
    expect(redact(JSON.stringify(obj), [secret])).not.toContain('pa\\"ss');
    expect(redact(`http://u:${encodeURIComponent(secret)}@proxy:3128`, [secret])).toBe('http://u:[redacted]@proxy:3128');
  });

  it('the report service redacts every secret known now, even one a past journal line holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eai-report-'));
    const ctx = context({ technician: 'Ada CANARY-TOKEN-42' });
    const j = new RunJournal(join(dir, 'runs'), 'run-9', () => []);
    for (const e of journal(ctx)) j.append(e);
    const svc = new ReportService(dir, () => ['CANARY-TOKEN-42']);
    expect(JSON.stringify(svc.get('run-9'))).not.toContain('CANARY-TOKEN-42');
    expect(svc.list()).toMatchObject([{ runId: 'run-9', result: 'partial', devices: 2 }]);
  });

  it('the journal never writes a known secret, even with quotes in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eai-journal-'));
    const secret = 'se"cr\\et';
    const j = new RunJournal(dir, 'r', () => [secret]);
    j.append({ kind: 'output', deviceId: 'd1', step: 'upload', data: { lines: [`token is ${secret}`] } });
    expect(RunJournal.text(dir, 'r')).not.toContain('se\\"cr');
    expect(RunJournal.read(dir, 'r')[0]).toMatchObject({ kind: 'output', data: { lines: ['token is [redacted]'] } });
  });
});
