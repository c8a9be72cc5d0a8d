import { STEPS, useStore, type StepId } from '../store';

export function StepRail({ canEnter }: { canEnter: (step: StepId) => boolean }) {
  const step = useStore((s) => s.step);
  const setStep = useStore((s) => s.setStep);
  const current = STEPS.findIndex((s) => s.id === step);
  const visited = useStore((s) => s.visited);
  // A step before the current one is done only if it was opened: Upgrade is skipped by a plain install.
  const done = (id: StepId, i: number) => i < current && (id !== 'upgrade' || visited.includes('upgrade'));
  return (
    <nav aria-label="Wizard steps" className="rail">
      <ol>
        {STEPS.map((s, i) => (
          <li key={s.id}>
            <button
              type="button"
              className={`rail-step ${s.id === step ? 'current' : done(s.id, i) ? 'done' : ''}`}
              aria-current={s.id === step ? 'step' : undefined}
              disabled={!canEnter(s.id)}
              onClick={() => setStep(s.id)}
            >
              <span className="rail-num" aria-hidden="true">
                {done(s.id, i) ? '✔' : i + 1}
              </span>
              {s.title}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
