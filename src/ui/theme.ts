/**
 * Host themes to Fluent themes. Teams names its themes `default`, `dark` and `contrast`; Office gives colours, from
 * which light or dark is read. Windows high-contrast mode is honoured through `forced-colors` wherever the host is.
 * Each host gets its own brand: the Teams pages Teams' themes, the Outlook pane the Office (Microsoft 365 web) brand.
 */
import {
  createHighContrastTheme,
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  type Theme,
  webDarkTheme,
  webLightTheme,
} from '@fluentui/react-components';

export const THEME_NAMES = ['light', 'dark', 'contrast'] as const;
export type ThemeName = (typeof THEME_NAMES)[number];

/** The Teams pages' themes (Teams' own brand). */
export const FLUENT_THEMES: Readonly<Record<ThemeName, Theme>> = {
  light: teamsLightTheme,
  dark: teamsDarkTheme,
  contrast: teamsHighContrastTheme,
};

/**
 * The Outlook task pane's themes: Fluent's Office brand (the web themes, brand ramp around #0F6CBD, which Microsoft 365
 * web apps use), not Teams' purple; high contrast is Fluent's own (the system's forced colours apply over it).
 */
export const OUTLOOK_THEMES: Readonly<Record<ThemeName, Theme>> = {
  light: webLightTheme,
  dark: webDarkTheme,
  contrast: createHighContrastTheme(),
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

/** Office's `officeTheme` colours, as the pane reads them (`Office.OfficeTheme`). */
export interface OfficeThemeColours {
  readonly bodyBackgroundColor?: string;
  readonly bodyForegroundColor?: string;
}

/**
 * Office's `officeTheme` to ours. Outlook supports neither `isDarkTheme` nor `themeId` and says to read the `body*` and
 * `control*` colours instead (@types/office-js `Office.OfficeTheme`): a dark body background is dark (Office's Black
 * and Dark Gray themes both read dark, as `isDarkTheme` counts them elsewhere); without a background, a light
 * foreground means a dark theme. Windows high contrast reaches the pane's web view as forced colours, which Office's
 * colours do not tell apart from Black, so `forcedColors` decides it.
 */
export function themeFromOffice(officeTheme: OfficeThemeColours | null | undefined, forcedColors = false): ThemeName {
  if (forcedColors) {
    return 'contrast';
  }
  const background = luminance(officeTheme?.bodyBackgroundColor);
  if (background !== null) {
    return background < 0.2 ? 'dark' : 'light';
  }
  const foreground = luminance(officeTheme?.bodyForegroundColor);
  return foreground !== null && foreground > 0.5 ? 'dark' : 'light';
}
