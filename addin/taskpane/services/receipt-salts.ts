/**
 * The salts of a 簽收單's parts, kept on the sender's machine only. The server holds each part's commitment and must
 * never hold its salt (with both, a short part is guessed back); the paper copy needs the salt, so that whoever holds
 * the paper can match it to the record. The pane writes the salts into the server's print page before printing.
 *
 * They live in the pane's local storage (never roaming settings, which Exchange keeps), under the receipt number.
 */
import { SALT_HEX_PATTERN as SALT } from '../../../src/core';
import { SALT_CELL_ATTRIBUTE } from '../../../src/shared/api';

const KEY_PREFIX = 'sg.receipt-salts.v1.';

export type SaltStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** One kind of value kept per receipt number in the pane's local storage: the salts, or the printed details. */
export interface KeptPerReceipt<T> {
  /** False when the value could not be kept (storage full or turned off): print the receipt now. */
  save(receiptId: string, value: T): boolean;
  /** The receipt's value, or null when this machine does not hold it (or holds something else under its key). */
  load(receiptId: string): T | null;
}

/** JSON under `prefix` + receipt number in `storage`; what `isValid` refuses reads as not held. */
export function keptPerReceipt<T>(
  storage: () => SaltStorage,
  prefix: string,
  isValid: (v: unknown) => v is T,
): KeptPerReceipt<T> {
  return {
    save(receiptId, value) {
      try {
        storage().setItem(prefix + receiptId, JSON.stringify(value));
        return true;
      } catch {
        return false;
      }
    },
    load(receiptId) {
      try {
        const parsed: unknown = JSON.parse(storage().getItem(prefix + receiptId) ?? 'null');
        return isValid(parsed) ? parsed : null;
      } catch {
        return null;
      }
    },
  };
}

/** The receipt's salts in part order. */
export type ReceiptSalts = KeptPerReceipt<readonly string[]>;

const isSalts = (v: unknown): v is readonly string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string' && SALT.test(s));

/** The salts kept in `storage` (the pane passes `window.localStorage`). */
export const receiptSalts = (storage: () => SaltStorage): ReceiptSalts => keptPerReceipt(storage, KEY_PREFIX, isSalts);

/** The salts in the pane's own local storage. */
export const localReceiptSalts = (): ReceiptSalts => receiptSalts(() => window.localStorage);

/** A salt cell of the server's print page, its part number (1-based) and its content. */
const SALT_CELL = new RegExp(`(<td\\b[^>]*\\b${SALT_CELL_ATTRIBUTE}="(\\d{1,3})"[^>]*>)[\\s\\S]*?(</td>)`, 'g');

/** What a salt cell says when this machine does not hold the receipt's salts. */
const NO_SALT =
  '（本電腦未保存鹽值，請由發文人之電腦列印）<br><span class="en">(this computer does not hold the salt; print from the sender’s computer)</span>';

/**
 * The server's print page with each part's salt written into its cell ({@link SALT_CELL_ATTRIBUTE}`="n"`, 1-based). `salts` null:
 * each cell says this machine does not hold them, rather than leaving a blank that looks like a form to fill in.
 */
export function fillSalts(html: string, salts: readonly string[] | null): string {
  return html.replace(SALT_CELL, (_all, open: string, n: string, close: string) => {
    const salt = salts?.[Number(n) - 1];
    return `${open}${salt !== undefined && SALT.test(salt) ? salt : NO_SALT}${close}`;
  });
}
