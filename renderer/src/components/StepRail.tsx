import { STEPS, useStore, type StepId } from '../store';

export function StepRail({ canEnter }: { canEnter: (step: StepId) => boolean }) {
  const step = useStore((s) => s.step);
  const setStep = useStore((s) => s.setStep);
  const current = STEPS.findIndex((s) => s.id === step);
  return (
    <nav aria-label="Wizard steps" className="rail">
      <ol>
        {STEPS.map((s, i) => (
          <li key={s.id}>
            <button
              type="button"
              className={`rail-step ${s.id === step ? 'current' : i < current ? 'done' : ''}`}
              aria-current={s.id === step ? 'step' : undefined}
              disabled={!canEnter(s.id)}
              onClick={() => setStep(s.id)}
            >
              <span className="rail-num" aria-hidden="true">
                {i < current ? '✔' : i + 1}
              </span>
              {s.title}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
