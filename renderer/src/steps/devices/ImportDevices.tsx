import { useState } from 'react';
import type { CsvRowError } from '../../../../common/devices/csv-import';
import { errorText } from '../../api/client';
import { api, useStore } from '../../store';
import { deviceStrings as t } from './strings';

/** A device list from a CSV file (host, port, user, auth, key path): all rows or none. */
export function ImportDevices() {
  const setVisit = useStore((s) => s.setVisit);
  const [errors, setErrors] = useState<CsvRowError[]>([]);
  const [message, setMessage] = useState('');
  const load = async (file: File | undefined) => {
    setErrors([]);
    setMessage('');
    if (!file) return;
    try {
      const result = await api['devices.import']({ csv: await file.text() });
      setVisit(await api['visit.get']({}));
      setErrors(result.errors);
      if (result.added.length) setMessage(t.imported(result.added.length));
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  return (
    <details className="card import">
      <summary>{t.importTitle}</summary>
      <p className="muted">{t.importHelp}</p>
      <div className="field">
        <label htmlFor="import-csv">{t.importFile}</label>
        <input id="import-csv" type="file" accept=".csv,.txt,text/csv,text/plain" onChange={(e) => void load(e.target.files?.[0])} />
      </div>
      {message && <p role="status">{message}</p>}
      {errors.length > 0 && (
        <div className="notice notice-error" role="alert" data-testid="import-errors">
          <p className="notice-title">{t.importRejected}</p>
          <ul>
            {errors.map((e) => (
              <li key={e.line}>
                {t.line} {e.line}: {e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </details>
  );
}
