import { useEffect, useState } from 'react';
import type { SiteSurveyView } from '../../../../common/contract';
import type { ProfileError } from '../../../../common/site/profile';
import { errorText } from '../../api/client';
import { api, useStore } from '../../store';
import { siteStrings as t } from './strings';

/** The survey from the devices, the masked user-data preview, and site profiles. */
export function SiteExtras() {
  return (
    <>
      <Survey />
      <Preview />
      <Profile />
    </>
  );
}

function Survey() {
  const devices = useStore((s) => s.visit?.devices ?? []);
  const [view, setView] = useState<SiteSurveyView | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      setView(await api['site.checkOnDevices']({}));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="survey-title" data-testid="site-survey">
      <h2 id="survey-title">{t.survey}</h2>
      <p className="muted">{t.surveyHelp}</p>
      <button type="button" className="primary" onClick={run} disabled={busy}>
        {busy ? t.surveyRunning : t.surveyRun}
      </button>
      {view?.map((d) => (
        <div key={d.deviceId} className="table-wrap">
          <h3>{devices.find((x) => x.id === d.deviceId)?.label}</h3>
          {d.error && <p className="field-error">{d.error}</p>}
          <div className="table-scroll" tabIndex={0}>
            <table>
              <tbody>
                {d.checks.map((c) => (
                  <tr key={c.id + c.target} data-survey={c.id} data-status={c.status}>
                    <td>
                      <span className={`badge badge-${c.status === 'pass' ? 'ok' : c.status === 'block' ? 'bad' : 'warn'}`}>
                        <span aria-hidden="true">{c.status === 'pass' ? '✔' : c.status === 'block' ? '✖' : '⚠'}</span> {c.status}
                      </span>
                    </td>
                    <th scope="row">
                      {c.title} <span className="mono muted">{c.target}</span>
                    </th>
                    <td>
                      {c.detail} <span className="muted">({c.method})</span>
                      {c.fix && <p className="fix">{c.fix}</p>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </section>
  );
}

function Preview() {
  const visit = useStore((s) => s.visit)!;
  const members = visit.devices.filter((d) => visit.plan.roles[d.id]);
  const [deviceId, setDeviceId] = useState(members[0]?.id ?? '');
  const [text, setText] = useState('');
  const siteKey = JSON.stringify([visit.site, visit.plan]);
  useEffect(() => {
    if (deviceId)
      void api['site.preview']({ deviceId })
        .then((p) => setText(p.text))
        .catch((err: Error) => setText(`# ${err.message}`));
  }, [deviceId, siteKey]);
  return (
    <section className="card" aria-labelledby="preview-title">
      <h2 id="preview-title">{t.preview}</h2>
      <p className="muted">{t.previewHelp}</p>
      <label htmlFor="preview-device">{t.previewDevice} </label>
      <select id="preview-device" value={deviceId} onChange={(e) => setDeviceId(e.target.value)}>
        {members.map((d) => (
          <option key={d.id} value={d.id}>
            {d.label}
          </option>
        ))}
      </select>
      <pre className="detail" data-testid="userdata-preview" tabIndex={0} aria-label={t.preview}>
        {text}
      </pre>
    </section>
  );
}

function Profile() {
  const visit = useStore((s) => s.visit)!;
  const setVisit = useStore((s) => s.setVisit);
  const [name, setName] = useState(visit.siteName);
  const [errors, setErrors] = useState<ProfileError[]>([]);
  const [needs, setNeeds] = useState<string[]>([]);
  const [message, setMessage] = useState('');
  const save = async () => {
    const { yaml } = await api['profiles.export']({ name });
    const url = URL.createObjectURL(new Blob([yaml], { type: 'application/yaml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${(name || 'site').replace(/[^A-Za-z0-9._-]+/g, '-')}.site-profile.yaml`;
    a.click();
    URL.revokeObjectURL(url);
  };
  const load = async (file: File | undefined) => {
    setErrors([]);
    setNeeds([]);
    setMessage('');
    if (!file) return;
    try {
      const r = await api['profiles.import']({ yaml: await file.text() });
      setErrors(r.errors);
      setNeeds(r.needsSecrets);
      if (r.visit) {
        setVisit(r.visit);
        setMessage(t.loaded);
      }
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 id="profile-title">{t.profile}</h2>
      <p className="muted">{t.profileHelp}</p>
      <div className="grid-3">
        <div className="field">
          <label htmlFor="profile-name">{t.profileName}</label>
          <input id="profile-name" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="actions">
          <button type="button" onClick={save}>
            {t.save}
          </button>
        </div>
        <div className="field">
          <label htmlFor="profile-load">{t.load}</label>
          <input id="profile-load" type="file" accept=".yaml,.yml,text/yaml,text/plain" onChange={(e) => void load(e.target.files?.[0])} />
        </div>
      </div>
      {message && <p role="status">{message}</p>}
      {needs.length > 0 && <p className="field-warn">{needs.join(', ')}</p>}
      {errors.length > 0 && (
        <div className="notice notice-error" role="alert" data-testid="profile-errors">
          <p className="notice-title">{t.rejected}</p>
          <ul>
            {errors.map((e, i) => (
              <li key={i}>
                {e.line !== null ? `line ${e.line}` : ''} {e.field && <span className="mono">{e.field}</span>}: {e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
