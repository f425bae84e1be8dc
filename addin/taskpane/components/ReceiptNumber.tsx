/**
 * A 簽收單號 on screen. It is read aloud, copied and typed on paper, so it is never broken across lines: the browser
 * would break `SG-20261208-K7Q2MX` at its hyphens, and half a number on each line is easily misread or mistyped.
 */
import { makeStyles } from '@fluentui/react-components';
import * as React from 'react';

const useStyles = makeStyles({
  number: { whiteSpace: 'nowrap' },
});

export function ReceiptNumber({ id }: { id: string }): React.JSX.Element {
  return (
    <span className={useStyles().number} data-receipt-number>
      {id}
    </span>
  );
}

/** `text` with each occurrence of the receipt number kept whole. */
export function WithReceiptNumber({ text, receiptId }: { text: string; receiptId: string }): React.JSX.Element {
  const parts = text.split(receiptId);
  return (
    <>
      {parts.map((part, i) => (
        <React.Fragment key={i}>
          {part}
          {i < parts.length - 1 && <ReceiptNumber id={receiptId} />}
        </React.Fragment>
      ))}
    </>
  );
}
