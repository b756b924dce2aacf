/**
 * The colour theme of both pages (playground and demos): light, dark, or the system's
 * (prefers-color-scheme), remembered in localStorage and applied as <html data-theme>.
 */
export type Theme = 'light' | 'dark' | 'system';

const KEY = 'lr-lab-theme';

/** The theme chosen on an earlier visit (localStorage), else the system's. */
export function savedTheme(): Theme {
  try {
    const theme = globalThis.localStorage?.getItem(KEY);
    return theme === 'light' || theme === 'dark' ? theme : 'system';
  } catch {
    return 'system';
  }
}

/** Remembers the theme choice. */
export function saveTheme(theme: Theme): void {
  try {
    globalThis.localStorage?.setItem(KEY, theme);
  } catch {
    // storage unavailable: the choice lasts for this visit
  }
}

/** Applies the theme to <html data-theme> (system: no attribute, prefers-color-scheme decides). */
export function applyTheme(theme: Theme): void {
  if (theme === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', theme);
}
