/**
 * The pane: a title, three views (check, strip, receipts) as tabs, and one live region that tells screen-reader users
 * how the scan is going and what it found.
 */
import { Caption1, makeStyles, Tab, TabList, tokens } from '@fluentui/react-components';
import * as React from 'react';

import { VISUALLY_HIDDEN } from '../../src/ui/styles';
import { CheckView } from './components/CheckView';
import { ReceiptsView } from './components/ReceiptsView';
import { StripView } from './components/StripView';
import { usePane } from './context';
import { type OpeningView, type PaneView, tabOf, viewFromContext } from './model/initial-view';
import { useLiveScan } from './useLiveScan';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    minHeight: '100vh',
    boxSizing: 'border-box',
    padding: tokens.spacingHorizontalM,
    gap: tokens.spacingVerticalM,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
  },
  header: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  title: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  main: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  tabs: { marginLeft: `calc(-1 * ${tokens.spacingHorizontalM})`, flexWrap: 'wrap' },
  heading: {
    margin: `0 0 ${tokens.spacingVerticalS}`,
    fontSize: tokens.fontSizeBase400,
    fontWeight: tokens.fontWeightSemibold,
  },
  visuallyHidden: VISUALLY_HIDDEN,
});

export type AppProps = {
  /** @default 'check' */
  initialView?: OpeningView;
};

export function App({ initialView = 'check' }: AppProps): React.JSX.Element {
  const { m, host } = usePane();
  const styles = useStyles();
  const scan = useLiveScan();
  const [view, setView] = React.useState<PaneView>(tabOf(initialView));
  // Opened from the send dialog's 「填寫理由」: the reason gets the focus when it is asked for (a count, so each new
  // request focuses it again), not on every return to the tab.
  const [focusReason, setFocusReason] = React.useState(initialView === 'override' ? 1 : 0);
  const { rescan } = scan;
  // The dialog's button chosen again with the pane open (Mailbox 1.15): Outlook hands the new context to this page
  // instead of reloading it, so the findings and a reason being typed stay; the view follows the new request, and the
  // mail is checked again since the send that raised the dialog may carry edits.
  React.useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    void host
      .onInitializationContextChange((contextData) => {
        const next = viewFromContext(contextData);
        setView(tabOf(next));
        setFocusReason((n) => (next === 'override' ? n + 1 : 0));
        void rescan();
      })
      .then((s) => (cancelled ? s() : (stop = s)));
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [host, rescan]);
  const [receiptsKey, setReceiptsKey] = React.useState(0);
  // The override reason lives here, not in its form: the check view unmounts when another tab is chosen, and a reason
  // half typed must still be there on coming back.
  const [reason, setReason] = React.useState('');
  const reasonDraft = React.useMemo(() => ({ value: reason, set: setReason }), [reason]);
  const id = React.useId();

  const announcement = scan.error
    ? m.scanFailed(scan.error)
    : scan.scanning
      ? scan.progress?.current
        ? m.scanningAttachment(scan.progress.current.name, scan.progress.done + 1, scan.progress.total)
        : m.scanning
      : scan.outcome
        ? m.scanDone(m.verdict(scan.outcome.verdict.verdict), scan.outcome.verdict.findings.length)
        : '';

  const labels: Record<PaneView, string> = { check: m.tabCheck, strip: m.tabStrip, receipts: m.tabReceipts };
  return (
    <div className={styles.root}>
      <header className={styles.header}>
        <h1 className={styles.title}>{m.appTitle}</h1>
        <Caption1>{m.appSubtitle}</Caption1>
      </header>
      {/* The views are tabs, not navigation: one main landmark holds the tab list and the tab panel. */}
      <main className={styles.main}>
        <TabList
          aria-label={m.tabsLabel}
          className={styles.tabs}
          selectedValue={view}
          onTabSelect={(_e, data) => {
            setFocusReason(0);
            setView(data.value as PaneView);
          }}
          size="small"
        >
          {(['check', 'strip', 'receipts'] as const).map((v) => (
            <Tab key={v} id={`${id}-tab-${v}`} value={v} aria-controls={`${id}-panel`}>
              {labels[v]}
            </Tab>
          ))}
        </TabList>
        <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${view}`}>
          {view === 'check' && (
            <CheckView
              scan={scan}
              onStrip={() => setView('strip')}
              focusReason={focusReason}
              reasonDraft={reasonDraft}
            />
          )}
          {view === 'strip' && (
            <>
              <h2 className={styles.heading}>{m.stripHeading}</h2>
              <StripView
                outcome={scan.outcome}
                rescan={scan.rescan}
                onReceipt={() => setReceiptsKey((k) => k + 1)}
                policySource={scan.policy?.source}
              />
            </>
          )}
          {view === 'receipts' && (
            <>
              <h2 className={styles.heading}>{m.receiptsHeading}</h2>
              <ReceiptsView refreshKey={receiptsKey} />
            </>
          )}
        </div>
      </main>
      <div role="status" aria-live="polite" aria-atomic="true" className={styles.visuallyHidden}>
        {announcement}
      </div>
    </div>
  );
}
