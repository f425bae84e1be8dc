/**
 * Host themes to Fluent themes. Teams names its themes `default`, `dark` and `contrast`; Office gives colours, from
 * which light or dark is read. Windows high-contrast mode is honoured through `forced-colors` wherever the host is.
 */
import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme, type Theme } from '@fluentui/react-components';

export const THEME_NAMES = ['light', 'dark', 'contrast'] as const;
export type ThemeName = (typeof THEME_NAMES)[number];

export const FLUENT_THEMES: Readonly<Record<ThemeName, Theme>> = {
  light: teamsLightTheme,
  dark: teamsDarkTheme,
  contrast: teamsHighContrastTheme,
};

/** Teams' theme names (`default`, `dark`, `contrast`) to ours; anything unknown reads as light. */
export function themeFromTeams(name: string | null | undefined): ThemeName {
  return name === 'dark' ? 'dark' : name === 'contrast' ? 'contrast' : 'light';
}

/** Relative luminance of a `#rrggbb` colour, 0 (black) to 1 (white); null when it is not one. */
export function luminance(hex: string | null | undefined): number | null {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec((hex ?? '').trim());
  if (!m) {
    return null;
  }
  const channel = (h: string): number => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(m[1] as string) + 0.7152 * channel(m[2] as string) + 0.0722 * channel(m[3] as string);
}

/**
 * Office's `officeTheme` (body background and foreground) to ours: a dark background is dark; black on white or white
 * on black with nothing in between reads as high contrast only when the system says so (`forcedColors`).
 */
export function themeFromOffice(
  officeTheme: { readonly bodyBackgroundColor?: string } | null | undefined,
  forcedColors = false,
): ThemeName {
  if (forcedColors) {
    return 'contrast';
  }
  const l = luminance(officeTheme?.bodyBackgroundColor);
  return l !== null && l < 0.2 ? 'dark' : 'light';
}
