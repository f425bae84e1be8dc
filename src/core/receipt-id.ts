/**
 * A 簽收單 number as the stripper's placeholder and the server's receipt routes accept it (older numbers included; the
 * server issues only `SG-<date>-<6 characters>`). The one definition: it lives in the core because the core may
 * import nothing outside it; src/shared/receipt-number.ts gives the server and the add-in their forms of it.
 */
export const RECEIPT_NUMBER_SOURCE = '[A-Za-z0-9][A-Za-z0-9._/-]{0,39}';

/** A whole string that is a 簽收單 number. */
export const RECEIPT_NUMBER_PATTERN = new RegExp(`^${RECEIPT_NUMBER_SOURCE}$`);
