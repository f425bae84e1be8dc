/**
 * The user's paper-delivery receipts (簽收單): status changes as the paper goes out and comes back signed, and the
 * printable form for each, rendered by the server.
 */
import {
  Badge,
  type BadgeProps,
  Button,
  Caption1,
  makeStyles,
  mergeClasses,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import * as React from 'react';

import { isLegacyRemovedPart, type Receipt, type ReceiptStatus } from '../../../src/shared/api';
import { checkValueGroups } from '../../../src/shared/check-value';
import { LevelBadge } from '../../../src/ui/LevelBadge';
import { usePane } from '../context';
import { openInNewWindow, printFromHiddenFrame, receiptPage } from '../services/print';
import { localReceiptDetails } from '../services/receipt-details';
import { localReceiptSalts } from '../services/receipt-salts';
import { useListStyles } from './listStyles.styles';
import { ReceiptNumber } from './ReceiptNumber';

/** The salts of this machine's receipts, for the paper copy (the server does not hold them). */
const salts = localReceiptSalts();
/** The names, subject, file names and 文號 this machine keeps for its receipts (the server never receives them). */
const details = localReceiptDetails();

const NEXT: Readonly<Record<ReceiptStatus, readonly Exclude<ReceiptStatus, 'pending'>[]>> = {
  pending: ['sent', 'cancelled'],
  sent: ['signed', 'cancelled'],
  signed: [],
  cancelled: [],
};
const STATUS_COLOR: Readonly<Record<ReceiptStatus, BadgeProps['color']>> = {
  pending: 'warning',
  sent: 'informative',
  signed: 'success',
  cancelled: 'subtle',
};

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  receipts: { gap: tokens.spacingVerticalM },
  item: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingVerticalS,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  check: { fontFamily: tokens.fontFamilyMonospace, whiteSpace: 'nowrap' },
  number: {
    margin: 0,
    fontSize: tokens.fontSizeBase300,
    fontWeight: tokens.fontWeightSemibold,
    wordBreak: 'break-all',
  },
});

export type ReceiptsViewProps = {
  /** Changes when a new receipt was created elsewhere in the pane, to reload the list. */
  refreshKey?: number;
};

export function ReceiptsView({ refreshKey = 0 }: ReceiptsViewProps): React.JSX.Element {
  const { m, api, locale } = usePane();
  const styles = useStyles();
  const lists = useListStyles();
  const [receipts, setReceipts] = React.useState<readonly Receipt[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [notice, setNotice] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState<string | null>(null);

  const load = React.useCallback(async () => {
    setError(null);
    try {
      setReceipts(await api.receipts());
    } catch (e) {
      setError(m.serverError(String((e as Error)?.message ?? e).slice(0, 200)));
    }
  }, [api, m]);
  React.useEffect(() => {
    void load();
  }, [load, refreshKey]);

  const act = async (id: string, action: () => Promise<void>): Promise<void> => {
    setBusy(id);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(m.serverError(String((e as Error)?.message ?? e).slice(0, 200)));
    } finally {
      setBusy(null);
    }
  };
  const setStatus = (r: Receipt, status: Exclude<ReceiptStatus, 'pending'>): Promise<void> =>
    act(r.id, async () => {
      await api.setReceiptStatus(r.id, status);
      setNotice(m.receiptUpdated(r.id, m.receiptStatus(status)));
      await load();
    });
  const print = (r: Receipt): Promise<void> =>
    act(r.id, async () =>
      printFromHiddenFrame(
        await receiptPage(api, r.id, salts.load(r.id), details.load(r.id)),
        m.receiptPrintFrame(r.id),
      ),
    );
  const open = (r: Receipt): Promise<void> =>
    act(r.id, async () => {
      openInNewWindow(await receiptPage(api, r.id, salts.load(r.id), details.load(r.id)));
    });
  const date = (iso: string): string =>
    new Date(iso).toLocaleString(locale === 'en' ? 'en-GB' : 'zh-TW', {
      timeZone: 'Asia/Taipei',
      dateStyle: 'medium',
      timeStyle: 'short',
    });

  return (
    <div className={styles.root}>
      <div className={lists.line}>
        <Button onClick={() => void load()}>{m.receiptsRefresh}</Button>
      </div>
      {notice && (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      )}
      {error && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {receipts === null && !error && <Spinner size="small" label={m.loading} />}
      {receipts?.length === 0 && <Text>{m.receiptsEmpty}</Text>}
      {receipts && receipts.length > 0 && (
        <ul className={mergeClasses(lists.list, styles.receipts)}>
          {receipts.map((r) => (
            <li key={r.id} className={styles.item} data-receipt={r.id}>
              <div className={lists.line}>
                <h3 className={styles.number}>
                  {m.receiptNumber} <ReceiptNumber id={r.id} />
                </h3>
                <Badge color={STATUS_COLOR[r.status]} appearance="tint">
                  {m.receiptStatus(r.status)}
                </Badge>
              </div>
              <Caption1>{m.labelled(m.receiptDate, date(r.createdAt))}</Caption1>
              <Caption1>
                {m.receiptRecipients(r.recipients.length)} · {m.receiptParts(r.parts.length)}
              </Caption1>
              {/* Each part's level and check value as the paper prints them, to compare the two by eye. */}
              <ul className={lists.list} aria-label={m.receiptCheckValues}>
                {r.parts.map((p, i) => (
                  <li key={i} className={lists.line} data-check-value={i + 1}>
                    <LevelBadge level={p.level} size="small" />
                    <Text className={styles.check}>
                      {p.level}{' '}
                      {isLegacyRemovedPart(p) ? m.receiptLegacyNoCheckValue : (checkValueGroups(p.commitment) ?? '—')}
                    </Text>
                  </li>
                ))}
              </ul>
              <div className={lists.line}>
                {NEXT[r.status].map((s) => (
                  <Button key={s} size="small" disabled={busy === r.id} onClick={() => void setStatus(r, s)}>
                    {m.receiptMark(s)}
                  </Button>
                ))}
                <Button
                  size="small"
                  disabled={busy === r.id}
                  onClick={() => void print(r)}
                  aria-label={`${m.receiptPrint} ${r.id}`}
                >
                  {m.receiptPrint}
                </Button>
                <Button
                  size="small"
                  disabled={busy === r.id}
                  onClick={() => void open(r)}
                  aria-label={`${m.receiptOpen} ${r.id}`}
                >
                  {m.receiptOpen}
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
