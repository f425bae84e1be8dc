/**
 * The task pane's entry: waits for Office, then renders inside FluentProvider with the theme and language Office
 * uses. The API is the page's own origin; sign-in is nested app authentication with Office SSO as the fallback.
 */
import { FluentProvider, makeStyles, MessageBar, MessageBarBody, tokens } from '@fluentui/react-components';
import * as React from 'react';
import { createRoot } from 'react-dom/client';

import { createApiClient } from '../../src/shared/api';
import { pickLocale } from '../../src/shared/i18n';
import { OUTLOOK_THEMES, themeFromOffice, type ThemeName } from '../../src/ui/theme';
import { whenOfficeReady } from '../office';
import { App } from './App';
import { PaneContext, type PaneServices } from './context';
import type { PaneHost } from './host';
import { messages } from './messages';
import { type OpeningView, viewFromContext } from './model/initial-view';
import { officePaneHost } from './office-host';
import { buildAuthSettings, createTokenProvider } from './services/auth';
import { browserPdfOptions } from './services/pdf';
import { loadPolicy } from './services/policy';
import { ItemScanner } from './services/scanner';

/** Names the add-in in audit events. */
export const CLIENT_NAME = 'outlook-taskpane/0.1';

const useStyles = makeStyles({ root: { minHeight: '100vh', backgroundColor: tokens.colorNeutralBackground1 } });

const forcedColors = (): boolean =>
  typeof window.matchMedia === 'function' && window.matchMedia('(forced-colors: active)').matches;

/**
 * Follows Office's theme (read again on `OfficeThemeChanged`, Mailbox 1.14) and Windows high contrast, in the Office
 * brand.
 */
function useHostTheme(host: PaneHost): ThemeName {
  const [theme, setTheme] = React.useState<ThemeName>(() => themeFromOffice(host.officeTheme(), forcedColors()));
  React.useEffect(() => {
    const update = (): void => setTheme(themeFromOffice(host.officeTheme(), forcedColors()));
    const query = typeof window.matchMedia === 'function' ? window.matchMedia('(forced-colors: active)') : null;
    query?.addEventListener('change', update);
    let stop: (() => void) | null = null;
    let cancelled = false;
    void host.onThemeChange(update).then((s) => (cancelled ? s() : (stop = s)));
    return () => {
      cancelled = true;
      query?.removeEventListener('change', update);
      stop?.();
    };
  }, [host]);
  return theme;
}

function Root({ services, initialView }: { services: PaneServices; initialView: OpeningView }): React.JSX.Element {
  const theme = useHostTheme(services.host);
  const styles = useStyles();
  return (
    <FluentProvider theme={OUTLOOK_THEMES[theme]} className={styles.root} data-theme={theme}>
      <PaneContext.Provider value={services}>
        <App initialView={initialView} />
      </PaneContext.Provider>
    </FluentProvider>
  );
}

async function start(): Promise<void> {
  const container = document.getElementById('root');
  if (!container) {
    return;
  }
  const root = createRoot(container);
  try {
    await whenOfficeReady();
  } catch {
    const m = messages(pickLocale(navigator.language));
    root.render(
      <FluentProvider theme={OUTLOOK_THEMES.light}>
        <MessageBar intent="error" layout="multiline" role="alert">
          <MessageBarBody>{m.officeNotReady}</MessageBarBody>
        </MessageBar>
      </FluentProvider>,
    );
    return;
  }
  const host = officePaneHost();
  const locale = pickLocale(host.displayLanguage());
  document.documentElement.lang = locale === 'zh-TW' ? 'zh-Hant-TW' : 'en';
  const m = messages(locale);
  document.title = `${m.appTitle} · Secrecy Guard`;
  const api = createApiClient({
    baseUrl: window.location.origin,
    getToken: createTokenProvider(host, buildAuthSettings()),
    fetch: (url, init) => window.fetch(url, init),
    client: CLIENT_NAME,
  });
  const services: PaneServices = {
    locale,
    m,
    host,
    api,
    scanner: new ItemScanner(host, browserPdfOptions(window.location.href)),
    loadPolicy: () => loadPolicy(api, host),
    client: CLIENT_NAME,
  };
  const initialView = viewFromContext(await host.initializationContext().catch(() => null));
  root.render(<Root services={services} initialView={initialView} />);
}

void start();
