import type { InputHTMLAttributes } from 'react';

/** A labelled input with its error (or warning) said next to it. */
export function Field({
  id,
  label,
  value,
  onChange,
  error,
  warning,
  ...rest
}: { id: string; label: string; value: string; onChange: (v: string) => void; error?: string; warning?: string } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'onChange' | 'value' | 'id'
>) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!!error}
        aria-describedby={`${id}-msg`}
        spellCheck={false}
        autoComplete="off"
        {...rest}
      />
      <p id={`${id}-msg`} className={error ? 'field-error' : 'field-warn'} data-field-error={error ? id : undefined}>
        {error ?? warning ?? ''}
      </p>
    </div>
  );
}

/** "a, b\nc" → ["a", "b", "c"] */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
