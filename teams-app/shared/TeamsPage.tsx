/**
 * Every Teams page starts here: teams-js, the host context, the API client with the SSO token, the theme (following
 * Teams live) and the language. The page body renders only once all of that is ready; until then a spinner, and a
 * clear message if the page is not inside Teams.
 */
import { FluentProvider, makeStyles, MessageBar, MessageBarBody, Spinner, tokens } from '@fluentui/react-components';
import * as React from 'react';

import { type ApiClient, createApiClient, type TokenProvider } from '../../src/shared/api';
import { HTML_LANG, type Locale, pickLocale } from '../../src/shared/i18n';
import { FLUENT_THEMES, themeFromTeams, type ThemeName } from '../../src/ui/theme';
import {
  type HostContext,
  notifyLoadFailure,
  notifyReady,
  onThemeChange,
  startTeams,
  teamsTokenProvider,
  TeamsUnavailableError,
} from '../teams';
import { type TeamsMessages, teamsMessages } from './messages';

export interface PageServices {
  readonly context: HostContext;
  readonly api: ApiClient;
  readonly getToken: TokenProvider;
  /** Our own origin: the API's and the pages'. */
  readonly origin: string;
  readonly locale: Locale;
  readonly t: TeamsMessages;
}

export type TeamsPageProps = {
  /** Names the page in acknowledgements and audit events, e.g. `teams/side-panel`. */
  client: string;
  /** The page body, once Teams and the API are ready. */
  children: (services: PageServices) => React.ReactNode;
  /** Document title, per language. */
  title: (t: TeamsMessages) => string;
};

type Boot =
  | { readonly phase: 'starting'; readonly services?: never; readonly error?: never }
  | { readonly phase: 'ready'; readonly services: PageServices; readonly error?: never }
  | { readonly phase: 'failed'; readonly services?: never; readonly error: unknown };

const useStyles = makeStyles({
  root: {
    minHeight: '100vh',
    boxSizing: 'border-box',
  },
  centre: {
    padding: tokens.spacingHorizontalL,
  },
});

export function TeamsPage({ client, children, title }: TeamsPageProps): React.JSX.Element {
  const styles = useStyles();
  const [boot, setBoot] = React.useState<Boot>({ phase: 'starting' });
  const [theme, setTheme] = React.useState<ThemeName>('light');
  const locale: Locale = boot.services?.locale ?? pickLocale(navigator.language);
  const t = teamsMessages(locale);

  React.useEffect(() => {
    let stopTheme: (() => void) | null = null;
    let cancelled = false;
    startTeams().then(
      (context) => {
        if (cancelled) {
          return;
        }
        const getToken = teamsTokenProvider();
        const origin = window.location.origin;
        const api = createApiClient({ baseUrl: origin, getToken, fetch: (url, init) => fetch(url, init), client });
        const pageLocale = pickLocale(context.locale);
        setTheme(themeFromTeams(context.theme));
        stopTheme = onThemeChange((name) => setTheme(themeFromTeams(name)));
        setBoot({
          phase: 'ready',
          services: { context, api, getToken, origin, locale: pageLocale, t: teamsMessages(pageLocale) },
        });
        notifyReady();
      },
      (error: unknown) => {
        if (!cancelled) {
          setBoot({ phase: 'failed', error });
          notifyLoadFailure(error instanceof Error ? error.message : String(error));
        }
      },
    );
    return () => {
      cancelled = true;
      stopTheme?.();
    };
  }, [client]);

  React.useEffect(() => {
    document.documentElement.lang = HTML_LANG[locale];
    document.title = `${title(t)} · ${t.appName}`;
  }, [locale, t, title]);

  let body: React.ReactNode;
  if (boot.phase === 'ready') {
    body = children(boot.services);
  } else if (boot.phase === 'failed') {
    const e = boot.error;
    const message =
      e instanceof TeamsUnavailableError
        ? e.reason === 'no-host'
          ? t.notInTeams
          : e.reason === 'timeout'
            ? t.teamsTimeout
            : t.teamsFailed(e.message)
        : t.teamsFailed(String(e));
    body = (
      <main className={styles.centre}>
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{message}</MessageBarBody>
        </MessageBar>
      </main>
    );
  } else {
    body = (
      <main className={styles.centre}>
        <Spinner label={t.loading} />
      </main>
    );
  }
  return (
    <FluentProvider theme={FLUENT_THEMES[theme]} className={styles.root} data-theme={theme}>
      {body}
    </FluentProvider>
  );
}
