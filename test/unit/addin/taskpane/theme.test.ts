/**
 * The pane's look follows Office's theme in the Office brand: Outlook gives only colours (`isDarkTheme` and `themeId`
 * are not supported there, @types/office-js `Office.OfficeTheme`), Windows high contrast arrives as forced colours.
 */
import { teamsDarkTheme, teamsLightTheme, webDarkTheme, webLightTheme } from '@fluentui/react-components';

import { FAKE_THEMES } from '../../../../src/dev/fakes/office/task-pane';
import { OUTLOOK_THEMES, themeFromOffice } from '../../../../src/ui/theme';

describe('the pane’s theme from Office’s theme', () => {
  it.each([
    ['Colorful / White', FAKE_THEMES.colorful, 'light'],
    ['Black', FAKE_THEMES.black, 'dark'],
    ['Dark Gray', { bodyBackgroundColor: '#666666', bodyForegroundColor: '#ffffff' }, 'dark'],
    ['a light grey body', { bodyBackgroundColor: '#f3f2f1', bodyForegroundColor: '#000000' }, 'light'],
    ['no background, a white foreground', { bodyForegroundColor: '#ffffff' }, 'dark'],
    ['no background, a black foreground', { bodyForegroundColor: '#000000' }, 'light'],
    ['colours Office did not give', { bodyBackgroundColor: '' }, 'light'],
    ['no officeTheme at all', null, 'light'],
  ] as const)('%s → %s', (_name, officeTheme, expected) => {
    expect(themeFromOffice(officeTheme)).toBe(expected);
  });

  it('high contrast when the system forces colours, whatever Office says', () => {
    expect(themeFromOffice(FAKE_THEMES.colorful, true)).toBe('contrast');
    expect(themeFromOffice(FAKE_THEMES.black, true)).toBe('contrast');
  });

  it('in the Office brand, not Teams’ purple', () => {
    expect(OUTLOOK_THEMES.light).toBe(webLightTheme);
    expect(OUTLOOK_THEMES.dark).toBe(webDarkTheme);
    expect(OUTLOOK_THEMES.light.colorBrandBackground).not.toBe(teamsLightTheme.colorBrandBackground);
    expect(OUTLOOK_THEMES.dark.colorBrandBackground).not.toBe(teamsDarkTheme.colorBrandBackground);
  });
});
