import { useEffect, useState } from 'react';
import type { ReportFile, RunSummary, SupportBundleView } from '../../../../common/contract';
import { formatBytes } from '../../../../common/format';
import type { Report } from '../../../../common/report/schema';
import { errorText } from '../../api/client';
import { api, useStore } from '../../store';
import { reportStrings as t } from './strings';

/** Saves a file the services made; downloads work the same in Electron and in a browser. */
function save(file: ReportFile): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ReportStep() {
  const runId = useStore((s) => s.reportRunId);
  const openReport = useStore((s) => s.openReport);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  // Kept with the run they belong to: picking another run shows nothing stale.
  const [loaded, setLoaded] = useState<Report | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState('');
  const [savedFor, setSaved] = useState<{ runId: string; folder: string; files: { name: string; size: number; sha256: string }[] } | null>(
    null,
  );
  const report = loaded?.runId === runId ? loaded : null;
  const saved = savedFor?.runId === runId ? savedFor : null;

  useEffect(() => {
    void api['reports.list']({}).then(
      (list) => {
        setRuns(list);
        if (!runId && list[0]) openReport(list[0].runId);
      },
      (err) => setError(errorText(err)),
    );
  }, [runId, openReport]);
  useEffect(() => {
    if (runId) void api['reports.get']({ runId }).then(setLoaded, (err) => setError(errorText(err)));
  }, [runId]);

  const download = async (format: 'html' | 'pdf' | 'json' | 'assets' | 'labels') => {
    setBusy(format);
    setError('');
    try {
      save(await api['reports.file']({ runId: runId!, format }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy('');
    }
  };

  return (
    <div className="step">
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>
      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">{t.history}</h2>
        {runs && runs.length === 0 && <p>{t.noRuns}</p>}
        {runs && runs.length > 0 && (
          <div className="field">
            <label htmlFor="run-pick">{t.history}</label>
            <select id="run-pick" value={runId ?? ''} onChange={(e) => openReport(e.target.value)}>
              {runs.map((r) => (
                <option key={r.runId} value={r.runId}>
                  {t.runLabel(r.startedAt.slice(0, 16).replace('T', ' '), r.kind, r.devices, t.results[r.result] ?? r.result)}
                </option>
              ))}
            </select>
          </div>
        )}
      </section>
      {error && (
        <p className="field-error" role="alert" data-testid="report-error">
          {error}
        </p>
      )}
      {report && (
        <>
          <section className="card" aria-labelledby="export-title" data-testid="report-summary" data-result={report.result}>
            <h2 id="export-title">{t.exportTitle}</h2>
            <p className={report.result === 'success' ? 'ok-text' : 'field-warn'}>
              <span aria-hidden="true">{report.result === 'success' ? '✔ ' : '⚠ '}</span>
              {t.results[report.result]}
            </p>
            <p className="mono muted">
              {report.bundle
                ? `${report.bundle.fileName} · sha256 ${report.bundle.sha256} · agent ${report.bundle.agentVersion ?? '?'}`
                : t.noBundle}
            </p>
            <div className="actions">
              <button type="button" className="primary" disabled={!!busy} onClick={() => download('pdf')}>
                {t.downloadPdf}
              </button>
              <button type="button" disabled={!!busy} onClick={() => download('html')}>
                {t.downloadHtml}
              </button>
              <button type="button" disabled={!!busy} onClick={() => download('json')}>
                {t.downloadJson}
              </button>
              <button type="button" disabled={!!busy} onClick={() => download('assets')}>
                {t.downloadAssets}
              </button>
              <button type="button" disabled={!!busy} onClick={() => download('labels')}>
                {t.downloadLabels}
              </button>
              <button
                type="button"
                disabled={!!busy}
                onClick={async () => {
                  setBusy('all');
                  setError('');
                  try {
                    setSaved({ runId: runId!, ...(await api['reports.export']({ runId: runId! })) });
                  } catch (err) {
                    setError(errorText(err));
                  } finally {
                    setBusy('');
                  }
                }}
              >
                {t.saveAll}
              </button>
            </div>
            {saved && (
              <div data-testid="report-saved">
                <p>{t.saved(saved.folder)}</p>
                <ul className="mono">
                  {saved.files.map((f) => (
                    <li key={f.name}>
                      {f.name} ({formatBytes(f.size)}) sha256 {f.sha256}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </section>
          <section className="card" aria-labelledby="report-devices-title">
            <h2 id="report-devices-title">{t.devicesTitle}</h2>
            <p className="muted">{t.supportIntro}</p>
            {report.devices.map((d) => (
              <DeviceRow key={d.id} runId={report.runId} device={d} />
            ))}
          </section>
        </>
      )}
    </div>
  );
}

function DeviceRow({ runId, device }: { runId: string; device: Report['devices'][number] }) {
  const live = useStore((s) => s.visit?.devices.find((d) => d.id === device.id));
  const [bundle, setBundle] = useState<SupportBundleView | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const connected = live?.state === 'connected';
  return (
    <div className="report-device" data-testid={`report-device-${device.label}`} data-result={device.result}>
      <h3>
        <span aria-hidden="true">{device.result === 'done' ? '✔ ' : '✖ '}</span>
        {device.label} — {device.result === 'done' ? `agent ${device.versionAfter}` : `${t.failed}: ${device.error ?? device.result}`}
      </h3>
      <div className="actions">
        <button
          type="button"
          disabled={!connected || busy}
          onClick={async () => {
            setBusy(true);
            setError('');
            try {
              setBundle(await api['support.collect']({ deviceId: device.id, runId }));
            } catch (err) {
              setError(errorText(err));
            } finally {
              setBusy(false);
            }
          }}
        >
          {busy ? t.collecting : t.collect(device.label)}
        </button>
        {!connected && <span className="muted">{t.notConnected}</span>}
        {bundle && (
          <>
            <span data-testid="support-bundle">
              {t.collected(bundle.fileName, bundle.entries.filter((e) => !e.note).length, bundle.entries.filter((e) => e.note).length)}
            </span>
            <button type="button" onClick={async () => save(await api['support.file']({ fileName: bundle.fileName }))}>
              {t.download}
            </button>
          </>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
