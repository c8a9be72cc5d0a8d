import { useState } from 'react';
import type { AppErrorShape } from '../../../common/errors';

/** What happened, what to do, and the device's own output one click away. */
export function ErrorBox({ error, tone = 'error', testId }: { error: AppErrorShape; tone?: 'error' | 'warn'; testId?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <div
      className={`notice notice-${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid={testId ?? 'error'}
      data-code={error.code}
    >
      <p className="notice-title">
        <span aria-hidden="true">{tone === 'error' ? '✖' : '⚠'}</span> {error.message}
      </p>
      <p className="notice-fix">
        <strong>What to do:</strong> {error.fix}
      </p>
      {error.detail && (
        <>
          <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide details' : 'Show details'}
          </button>
          {open && <pre className="detail">{error.detail}</pre>}
        </>
      )}
    </div>
  );
}
