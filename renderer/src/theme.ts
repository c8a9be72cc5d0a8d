/**
 * The theme: the technician's choice, kept per laptop, or "system": what the OS prefers (colour scheme,
 * and more contrast), followed as it changes. The resolved theme is always written to data-theme on
 * <html>, so the stylesheet has one block per theme.
 */
export type ThemeChoice = 'system' | 'light' | 'dark' | 'high-contrast';
export const THEMES: { id: ThemeChoice; label: string }[] = [
  { id: 'system', label: 'Follow the system' },
  { id: 'light', label: 'Light' },
  { id: 'dark', label: 'Dark' },
  { id: 'high-contrast', label: 'High contrast' },
];
const KEY = 'eai.theme';
const QUERIES = ['(prefers-contrast: more)', '(prefers-color-scheme: dark)'];
let stopFollowing: (() => void) | null = null;

export function savedTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return THEMES.some((t) => t.id === v) ? (v as ThemeChoice) : 'system';
  } catch {
    return 'system';
  }
}

function systemTheme(): Exclude<ThemeChoice, 'system'> {
  if (matchMedia(QUERIES[0]!).matches) return 'high-contrast';
  return matchMedia(QUERIES[1]!).matches ? 'dark' : 'light';
}

export function applyTheme(choice: ThemeChoice): void {
  stopFollowing?.();
  stopFollowing = null;
  const set = () => (document.documentElement.dataset.theme = choice === 'system' ? systemTheme() : choice);
  set();
  if (choice === 'system') {
    const lists = QUERIES.map((q) => matchMedia(q));
    for (const l of lists) l.addEventListener('change', set);
    stopFollowing = () => lists.forEach((l) => l.removeEventListener('change', set));
  }
  try {
    localStorage.setItem(KEY, choice);
  } catch {
    // a window without storage keeps the choice until it closes
  }
}
