import type { VerifyCheck } from '../../../common/install/model';

/** The agent's verification on a device: each check with a mark and its words (never colour alone). */
export function VerifyList({ checks, label }: { checks: VerifyCheck[]; label: string }) {
  return (
    <ul className="verify" aria-label={label}>
      {checks.map((c) => (
        <li key={c.name}>
          {/* A mark always agrees with its words: a check that is only reported (not required) and not met
              yet is "◌ pending", never a tick. */}
          <span aria-hidden="true">{c.ok ? '✔' : c.required === false ? '◌' : '✖'}</span> <strong>{c.name}</strong>
          {c.required === false && !c.ok ? ' (not required yet)' : ''}: {c.detail}
        </li>
      ))}
    </ul>
  );
}
