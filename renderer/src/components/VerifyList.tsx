import type { VerifyCheck } from '../../../common/install/model';

/** The agent's verification on a device: each check with a mark and its words (never colour alone). */
export function VerifyList({ checks, label }: { checks: VerifyCheck[]; label: string }) {
  return (
    <ul className="verify" aria-label={label}>
      {checks.map((c) => (
        <li key={c.name}>
          {c.ok ? '✔' : '✖'} <strong>{c.name}</strong>: {c.detail}
        </li>
      ))}
    </ul>
  );
}
