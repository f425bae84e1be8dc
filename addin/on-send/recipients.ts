import { type Policy, type RecipientScope, recipientScope } from '../../src/core';
import type { Recipient } from '../office';

/**
 * What the core is given for recipients it must count as external whatever their address says: a distribution list
 * the handler cannot expand, and an address Exchange itself calls external. Not an address, so the core's
 * `recipientScope` reads it as external.
 */
export const UNRESOLVED_RECIPIENT = '(unresolved recipient)';

export interface RecipientSummary {
  /** One entry per recipient, for `recipientScope`. */
  readonly addresses: readonly string[];
  readonly count: number;
  readonly external: number;
  readonly scope: RecipientScope;
}

/**
 * The recipients as the core judges them, the same at send and in the task pane: a distribution list, an address
 * Exchange calls external and a recipient without an address count as external.
 */
export function summariseRecipients(
  recipients: readonly Pick<Recipient, 'emailAddress' | 'recipientType'>[],
  policy: Policy,
): RecipientSummary {
  const addresses = recipients.map((r) =>
    r.recipientType === 'distributionList' || r.recipientType === 'externalUser' || !r.emailAddress
      ? UNRESOLVED_RECIPIENT
      : r.emailAddress,
  );
  const external = addresses.filter((a) => recipientScope([a], policy) === 'external').length;
  return { addresses, count: addresses.length, external, scope: recipientScope(addresses, policy) };
}
