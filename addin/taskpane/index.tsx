/**
 * The task pane's entry: waits for Office (saying what it waits for, and, outside Outlook, that the pane belongs in it),
 * then renders inside FluentProvider with the theme and language Office uses. The API is the page's own origin; sign-in is nested app authentication with Office SSO as the fallback.
 */
import { FluentProvider, makeStyles, MessageBar, MessageBarBody, Spinner, tokens } from '@fluentui/react-components';
import * as React from 'react';
import { createRoot, type Root } from 'react-dom/client';

import { createApiClient } from '../../src/shared/api';
import { HTML_LANG, pickLocale } from '../../src/shared/i18n';
import { OUTLOOK_THEMES, themeFromOffice, type ThemeName } from '../../src/ui/theme';
import { officeReadyHost } from '../office';
import { App } from './App';
import { PaneContext, type PaneServices } from './context';
import type { PaneHost } from './host';
import { type Messages, messages } from './messages';
import { hostSigns, type HostView, type HostWaitState, waitForHost } from './model/host-wait';
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

/** What the page shows while there is no pane yet: loading, or why there is none. */
function HostWaitMessage({ m, state }: { m: Messages; state: Exclude<HostWaitState, 'ready'> }): React.JSX.Element {
  return (
    <FluentProvider theme={OUTLOOK_THEMES.light}>
      {state === 'waiting' ? (
        <Spinner size="small" label={m.loading} />
      ) : (
        <MessageBar
          intent={state === 'no-host' ? 'info' : 'error'}
          layout="multiline"
          role="alert"
          data-host-wait={state}
        >
          <MessageBarBody>{state === 'no-host' ? m.openInOutlook : m.officeNotReady}</MessageBarBody>
        </MessageBar>
      )}
    </FluentProvider>
  );
}

/** Renders the pane once Outlook is ready. */
async function startPane(root: Root): Promise<void> {
  const host = officePaneHost();
  const locale = pickLocale(host.displayLanguage());
  document.documentElement.lang = HTML_LANG[locale];
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

function start(): void {
  const container = document.getElementById('root');
  if (!container) {
    return;
  }
  const root = createRoot(container);
  // Before Office answers, the browser's language is all there is.
  const locale = pickLocale(navigator.language);
  document.documentElement.lang = HTML_LANG[locale];
  const m = messages(locale);
  waitForHost({
    ready: officeReadyHost(),
    hostLikely: hostSigns(window as unknown as HostView),
    setTimer: (fn, ms) => window.setTimeout(fn, ms),
    clearTimer: (handle) => window.clearTimeout(handle as number),
    onState: (state) => {
      if (state === 'ready') {
        void startPane(root);
      } else {
        root.render(<HostWaitMessage m={m} state={state} />);
      }
    },
  });
}

void start();
