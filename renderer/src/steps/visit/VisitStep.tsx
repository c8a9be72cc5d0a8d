import { useState, type FormEvent } from 'react';
import { api, useStore } from '../../store';
import { visitStrings as t } from './strings';

export function VisitStep() {
  const visit = useStore((s) => s.visit)!;
  const setVisit = useStore((s) => s.setVisit);
  const setStep = useStore((s) => s.setStep);
  const [siteName, setSiteName] = useState(visit.siteName);
  const [technician, setTechnician] = useState(visit.technician);
  const [tried, setTried] = useState(false);
  const siteError = tried && !siteName.trim() ? t.siteMissing : '';
  const techError = tried && !technician.trim() ? t.techMissing : '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!siteName.trim() || !technician.trim()) return;
    setVisit(await api['visit.update']({ siteName, technician }));
    setStep('devices');
  };

  return (
    <form className="step" onSubmit={submit} noValidate>
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>
      <div className="field">
        <label htmlFor="site-name">{t.siteLabel}</label>
        <input
          id="site-name"
          value={siteName}
          placeholder={t.siteHint}
          onChange={(e) => setSiteName(e.target.value)}
          aria-invalid={!!siteError}
          aria-describedby="site-name-err"
          maxLength={120}
        />
        <p id="site-name-err" className="field-error">
          {siteError}
        </p>
      </div>
      <div className="field">
        <label htmlFor="technician">{t.techLabel}</label>
        <input
          id="technician"
          value={technician}
          onChange={(e) => setTechnician(e.target.value)}
          aria-invalid={!!techError}
          aria-describedby="technician-err"
          maxLength={120}
          autoComplete="name"
        />
        <p id="technician-err" className="field-error">
          {techError}
        </p>
      </div>
      <div className="actions">
        <button type="submit" className="primary">
          {t.next}
        </button>
      </div>
    </form>
  );
}
