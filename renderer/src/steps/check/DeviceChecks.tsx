import { act } from '../../actions';
import { TableHead } from '../../components/TableHead';
import { memo, useState, type FormEvent } from 'react';
import type { DeviceView } from '../../../../common/model/device';
import { overrideSchema } from '../../../../common/plan/schema';
import type { CheckResult } from '../../../../common/requirements/evaluate';
import { fieldErrors } from '../../../../common/validate';
import { errorText } from '../../api/client';
import { ErrorBox } from '../../components/ErrorBox';
import { api, useStore } from '../../store';
import { Facts } from './FactsCard';
import { checkStrings as t } from './strings';

const ICON: Record<CheckResult['status'], string> = { pass: '✔', warn: '⚠', block: '✖', unknown: '?' };

/** One device: its verdict, every requirement with measured vs required, and overrides with reasons. */
const ORDER: Record<CheckResult['status'], number> = { block: 0, unknown: 1, warn: 2, pass: 3 };

/**
 * Memoised: with a rack of devices, a state change of one re-renders that one card only (its device and results
 * objects stay the same for the others).
 */
export const DeviceChecks = memo(function DeviceChecks({
  device,
  results,
  onRead,
}: {
  device: DeviceView;
  results: CheckResult[] | null;
  onRead: (deviceId: string) => unknown;
}) {
  const [showPassed, setShowPassed] = useState(false);
  // What needs attention first; passes (and overridden blocks) fold away until asked for.
  const sorted = results ? [...results].sort((a, b) => ORDER[a.status] - ORDER[b.status]) : null;
  const attention = sorted?.filter((r) => r.status !== 'pass') ?? [];
  const passed = sorted?.filter((r) => r.status === 'pass') ?? [];
  const blocks = results?.filter((r) => r.status === 'block' && !r.override).length ?? 0;
  const warns = results?.filter((r) => r.status === 'warn' || r.status === 'unknown').length ?? 0;
  const slug = device.connection.kind === 'local' ? 'local' : device.connection.host;
  return (
    <section className="card facts" aria-label={`Checks of ${device.label}`} data-testid={`checks-${slug}`}>
      <header className="device-head">
        <h2>{device.label}</h2>
        {results && (
          <span className={`badge badge-${blocks ? 'bad' : warns ? 'warn' : 'ok'}`} data-testid="verdict" data-blocks={blocks}>
            <span aria-hidden="true">{blocks ? '✖' : warns ? '⚠' : '✔'}</span>{' '}
            {blocks ? t.summary.block(blocks) : warns ? t.summary.warn(warns) : t.summary.ready}
          </span>
        )}
        {device.probing && (
          <span className="badge badge-busy" role="status">
            <span aria-hidden="true">◌</span> {t.reading}
          </span>
        )}
        <button type="button" onClick={() => void onRead(device.id)} disabled={device.probing || device.state !== 'connected'}>
          {t.readAgain}
        </button>
      </header>
      {device.state !== 'connected' && <p className="muted">{t.notConnected}</p>}
      {device.error && <ErrorBox error={device.error} tone="warn" />}
      {results && (
        <div className="table-wrap">
          <div className="table-scroll" tabIndex={0}>
            <table className="checks">
              <TableHead cols={t.cols} />
              <tbody>
                {attention.map((r) => (
                  <CheckRow key={r.id} deviceId={device.id} r={r} />
                ))}
                {showPassed && passed.map((r) => <CheckRow key={r.id} deviceId={device.id} r={r} />)}
              </tbody>
            </table>
          </div>
          {passed.length > 0 && (
            <button type="button" className="link" aria-expanded={showPassed} onClick={() => setShowPassed(!showPassed)}>
              {showPassed ? t.hidePassed : t.showPassed(passed.length)}
            </button>
          )}
        </div>
      )}
      {device.facts && (
        <details className="facts-details" open={!results}>
          <summary>{t.facts}</summary>
          <div data-testid={`facts-${slug}`}>
            <Facts f={device.facts} />
          </div>
        </details>
      )}
      {!device.facts && device.state === 'connected' && !device.probing && <p className="muted">{t.notRead}</p>}
    </section>
  );
});

function CheckRow({ deviceId, r }: { deviceId: string; r: CheckResult }) {
  const [open, setOpen] = useState(false);
  const setVisit = useStore((s) => s.setVisit);
  const status = r.override ? 'overridden' : r.status;
  return (
    <>
      <tr data-check={r.id} data-status={status} className={`check-${r.status}`}>
        <td>
          <span className={`badge badge-${r.status === 'pass' ? 'ok' : r.status === 'block' ? (r.override ? 'neutral' : 'bad') : 'warn'}`}>
            <span aria-hidden="true">{ICON[r.status]}</span> {r.override ? 'Overridden' : t.status[r.status]}
          </span>
        </td>
        <th scope="row">{r.title}</th>
        <td data-testid="measured">{r.measured}</td>
        <td data-testid="required">{r.required}</td>
        <td className="why">
          {r.status !== 'pass' && <p className="fix">{r.fix}</p>}
          <p className="muted">
            {r.sourceUrl ? (
              <a href={r.sourceUrl} target="_blank" rel="noreferrer">
                {r.why}
              </a>
            ) : (
              r.why
            )}
          </p>
          {r.override && (
            <p data-testid="override-note">
              <strong>{t.overridden(r.override.technician)}</strong> {r.override.reason}{' '}
              <button
                type="button"
                className="link"
                onClick={() => act(() => api['checks.removeOverride']({ deviceId, checkId: r.id }), setVisit)}
              >
                {t.removeOverride}
              </button>
            </p>
          )}
          {r.status === 'block' &&
            !r.override &&
            (r.overridable ? (
              !open && (
                <button type="button" onClick={() => setOpen(true)}>
                  {t.override}
                </button>
              )
            ) : (
              <p className="muted">{t.notOverridable}</p>
            ))}
        </td>
      </tr>
      {open && (
        <tr className="override-row">
          <td colSpan={5}>
            <OverrideForm deviceId={deviceId} r={r} onDone={() => setOpen(false)} />
          </td>
        </tr>
      )}
    </>
  );
}

function OverrideForm({ deviceId, r, onDone }: { deviceId: string; r: CheckResult; onDone: () => void }) {
  const setVisit = useStore((s) => s.setVisit);
  const visitTech = useStore((s) => s.visit?.technician ?? '');
  const [reason, setReason] = useState('');
  const [technician, setTechnician] = useState(visitTech);
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState('');
  const input = { deviceId, checkId: r.id, reason, technician };
  const parsed = overrideSchema.safeParse(input);
  const errors = tried && !parsed.success ? fieldErrors(parsed.error) : {};
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!parsed.success) return;
    try {
      setVisit(await api['checks.override'](input));
      onDone();
    } catch (err) {
      setServerError(errorText(err));
    }
  };
  const id = `ov-${deviceId}-${r.id}`;
  return (
    <form className="override" onSubmit={submit} noValidate aria-label={t.overrideTitle(r.title)}>
      <h3>{t.overrideTitle(r.title)}</h3>
      <div className="field">
        <label htmlFor={`${id}-reason`}>{t.reason}</label>
        <textarea
          id={`${id}-reason`}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          rows={2}
          aria-invalid={!!errors.reason}
          aria-describedby={`${id}-reason-err`}
          autoFocus
        />
        <p id={`${id}-reason-err`} className="field-error">
          {errors.reason ?? ''}
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-tech`}>{t.technician}</label>
        <input
          id={`${id}-tech`}
          value={technician}
          onChange={(e) => setTechnician(e.target.value)}
          aria-invalid={!!errors.technician}
          aria-describedby={`${id}-tech-err`}
        />
        <p id={`${id}-tech-err`} className="field-error">
          {errors.technician ?? ''}
        </p>
      </div>
      {serverError && (
        <p className="field-error" role="alert">
          {serverError}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          {t.record}
        </button>
        <button type="button" onClick={onDone}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
