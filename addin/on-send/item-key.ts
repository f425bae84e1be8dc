/**
 * A hash that joins the audit events of one mail without naming it: of the item id where Exchange has one, else of
 * a random key kept in the item's sessionData for as long as it is open.
 */
import { sha256Hex, utf8Bytes } from '../../src/core';
import { readItemId, sessionData } from '../office';

export const ITEM_KEY = 'sg.item';

function randomKey(): string {
  let key = '';
  for (let i = 0; i < 4; i++) {
    key += Math.floor(Math.random() * 0x100000000).toString(16);
  }
  return key;
}

async function sessionKey(): Promise<string> {
  const existing = await sessionData.get(ITEM_KEY);
  if (existing) {
    return existing;
  }
  const key = randomKey();
  await sessionData.set(ITEM_KEY, key);
  return key;
}

/** The item's hash, or null when neither an id nor sessionData is to be had. Never rejects. */
export function itemHash(): Promise<string | null> {
  return readItemId()
    .then(undefined, () => sessionKey())
    .then(
      (key) => sha256Hex(utf8Bytes(key)),
      () => null,
    );
}
