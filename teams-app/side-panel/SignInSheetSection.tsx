/** The sign-in sheet, as PDF or CSV, downloaded through a Blob URL under the file name the server gives it. */
import { MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import * as React from 'react';

import { type ApiClient, isApiError } from '../../src/shared/api';
import { describeError } from '../shared/errors';
import { signInSheetFileName } from '../shared/format';
import { useLayoutStyles } from '../shared/layout.styles';
import type { TeamsMessages } from '../shared/messages';
import { BusyButton } from '../shared/PageStates';

export type SignInSheetSectionProps = {
  api: ApiClient;
  meetingId: string;
  t: TeamsMessages;
  title: string;
};

type Format = 'pdf' | 'csv';
type ExportState =
  | { readonly phase: 'idle'; readonly format?: never; readonly text?: never }
  | { readonly phase: 'working'; readonly format: Format; readonly text?: never }
  | { readonly phase: 'done' | 'failed'; readonly format: Format; readonly text: string };

const MIME: Readonly<Record<Format, string>> = { pdf: 'application/pdf', csv: 'text/csv;charset=utf-8' };

function download(bytes: ArrayBuffer, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function SignInSheetSection({ api, meetingId, t, title }: SignInSheetSectionProps): React.JSX.Element {
  const layout = useLayoutStyles();
  const headingId = React.useId();
  const [state, setState] = React.useState<ExportState>({ phase: 'idle' });

  const run = (format: Format): void => {
    if (state.phase === 'working') {
      return;
    }
    setState({ phase: 'working', format });
    api.signInSheet(meetingId, format).then(
      ({ bytes, fileName: served }) => {
        // The server's name (it knows the sheet's date); ours only if its header named none.
        const fileName = served ?? signInSheetFileName(title, format, new Date());
        download(bytes, fileName, MIME[format]);
        setState({ phase: 'done', format, text: t.exported(fileName) });
      },
      (e: unknown) => {
        let text: string;
        if (isApiError(e) && e.status === 404 && e.code !== 'meeting_not_found') {
          text = t.exportUnavailable;
        } else if (isApiError(e) && e.status === 503) {
          // The server says why (no CJK font for the PDF); its message is already bilingual.
          text = t.exportFailed(e.message);
        } else {
          text = t.exportFailed(describeError(e, t));
        }
        setState({ phase: 'failed', format, text });
      },
    );
  };

  const working = state.phase === 'working';
  const button = (format: Format, label: string): React.JSX.Element => (
    <BusyButton
      appearance="secondary"
      busy={working && state.format === format}
      disabled={working && state.format !== format}
      onClick={() => run(format)}
      data-testid={`export-${format}`}
    >
      {label}
    </BusyButton>
  );
  return (
    <section className={layout.section} aria-labelledby={headingId}>
      <h3 id={headingId} className={layout.h3}>
        {t.exportHeading}
      </h3>
      <p className={layout.caption}>{t.exportNote}</p>
      <div className={layout.row}>
        {button('pdf', t.exportPdf)}
        {button('csv', t.exportCsv)}
      </div>
      <div role="status" aria-live="polite">
        {working ? <Spinner size="tiny" label={t.exporting(state.format.toUpperCase())} /> : null}
        {state.phase === 'done' ? (
          <MessageBar intent="success">
            <MessageBarBody>{state.text}</MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
      {state.phase === 'failed' ? (
        <MessageBar intent="error" role="alert" data-testid="export-error">
          <MessageBarBody>{state.text}</MessageBarBody>
        </MessageBar>
      ) : null}
    </section>
  );
}
