import { useState, type FormEvent } from 'react';
import type { AuthPrompt } from '../../../../common/contract';
import { api, dismissPrompt, useStore } from '../../store';
import { deviceStrings as t } from './strings';

/** Keyboard-interactive sign-in: the device's own prompts, answered here, sent once. */
export function PromptDialog() {
  const prompt = useStore((s) => s.prompts[0]);
  if (!prompt) return null;
  return <PromptForm key={prompt.promptId} prompt={prompt} />;
}

function PromptForm({ prompt }: { prompt: AuthPrompt }) {
  const [answers, setAnswers] = useState<string[]>(prompt.prompts.map(() => ''));
  const device = useStore((s) => s.visit?.devices.find((d) => d.id === prompt.deviceId));
  const send = async (e: FormEvent) => {
    e.preventDefault();
    dismissPrompt(prompt.promptId);
    await api['auth.answer']({ promptId: prompt.promptId, answers });
  };
  const cancel = async () => {
    dismissPrompt(prompt.promptId);
    await api['auth.answer']({ promptId: prompt.promptId, answers: null });
  };
  return (
    <div className="overlay">
      <form className="dialog card" role="dialog" aria-modal="true" aria-labelledby="prompt-title" onSubmit={send}>
        <h2 id="prompt-title">
          {device?.label ?? 'Device'} {prompt.hop === 'jump' ? '(jump host)' : ''} — {t.promptTitle}
        </h2>
        {prompt.name && <p>{prompt.name}</p>}
        {prompt.instructions && <p className="muted">{prompt.instructions}</p>}
        {prompt.prompts.map((p, i) => (
          <div className="field" key={i}>
            <label htmlFor={`kbd-${i}`}>{p.prompt}</label>
            <input
              id={`kbd-${i}`}
              type={p.echo ? 'text' : 'password'}
              autoFocus={i === 0}
              autoComplete="off"
              value={answers[i]}
              onChange={(e) => setAnswers((a) => a.map((v, j) => (j === i ? e.target.value : v)))}
            />
          </div>
        ))}
        <div className="actions">
          <button type="submit" className="primary">
            {t.promptSend}
          </button>
          <button type="button" onClick={cancel}>
            {t.promptCancel}
          </button>
        </div>
      </form>
    </div>
  );
}
