import { useEffect, useRef, useState } from 'react';
import type { SiteConfig } from '../../../../common/site/model';
import { siteIssues } from '../../../../common/site/issues';
import { siteSchema } from '../../../../common/site/schema';
import { fieldErrors } from '../../../../common/validate';
import { api, useStore } from '../../store';

/**
 * The site form's state: a draft checked on every keystroke (the same rules main applies again), saved
 * to main a moment after the last change when, and only when, every field is valid.
 */
export function useSiteDraft() {
  const visit = useStore((s) => s.visit)!;
  const setVisit = useStore((s) => s.setVisit);
  const [draft, setDraft] = useState<SiteConfig>(visit.site);
  const [saveError, setSaveError] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const parsed = siteSchema.safeParse(draft);
  const errors: Record<string, string> = parsed.success ? {} : fieldErrors(parsed.error);
  const issues = parsed.success ? siteIssues(draft, visit.plan, visit.devices) : [];
  for (const i of issues) if (!(i.field in errors) && i.severity === 'block') errors[i.field] = i.message;
  const warnings: Record<string, string> = Object.fromEntries(issues.filter((i) => i.severity === 'warn').map((i) => [i.field, i.message]));

  const save = (d: SiteConfig) =>
    api['site.update'](d)
      .then((v) => {
        setSaveError('');
        setVisit(v);
      })
      .catch((err: Error) => setSaveError(err.message));
  // The save waiting for its moment: leaving the step (a rail click right after typing) sends it at once
  // instead of dropping it.
  const pending = useRef<SiteConfig | null>(null);
  useEffect(() => {
    if (!parsed.success || draft === visit.site) return;
    if (timer.current) clearTimeout(timer.current);
    pending.current = draft;
    timer.current = setTimeout(() => {
      pending.current = null;
      void save(draft);
    }, 300);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      if (pending.current) void save(pending.current);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );

  const update = (patch: Partial<SiteConfig>) => setDraft((d) => ({ ...d, ...patch }));
  // Saved means main holds exactly this draft, not merely that no save is under way.
  const same = JSON.stringify(draft) === JSON.stringify(visit.site);
  const status: 'saved' | 'saving' | 'invalid' = !parsed.success ? 'invalid' : !same ? 'saving' : 'saved';
  return { draft, setDraft, update, errors, warnings, valid: parsed.success, saveError, visit, status };
}
