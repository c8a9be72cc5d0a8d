import { useState } from 'react';
import { applyTheme, savedTheme, THEMES, type ThemeChoice } from '../theme';

export function ThemePicker() {
  const [theme, setTheme] = useState<ThemeChoice>(savedTheme);
  return (
    <div className="theme-pick">
      <label htmlFor="theme-pick">Theme</label>
      <select
        id="theme-pick"
        value={theme}
        onChange={(e) => {
          const choice = e.target.value as ThemeChoice;
          setTheme(choice);
          applyTheme(choice);
        }}
      >
        {THEMES.map((t) => (
          <option key={t.id} value={t.id}>
            {t.label}
          </option>
        ))}
      </select>
    </div>
  );
}
