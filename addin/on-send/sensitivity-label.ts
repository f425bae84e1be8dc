/**
 * The item's sensitivity label, judged the same way at send and in the task pane. It is read only when the policy
 * maps labels to levels; then a label that cannot be read (a host below Mailbox 1.13, an item without the label API,
 * a failed read) is `unscannable` at `label`, never "no label": a label-based policy must not pass silently where the
 * label is out of sight.
 */
import { type Finding, type Policy, scanMessage, type Unscannable, type UnscannableReason } from '../../src/core';

/** What reading the label gave: its GUID (null for none), or that it could not be read. */
export type LabelReading = { readonly read: true; readonly id: string | null } | { readonly read: false };

/** Reads the label through `read` when the policy needs it; null when it does not. Never rejects. */
export function readLabelFor(policy: Policy, read: () => Promise<string | null>): Promise<LabelReading | null> {
  if (policy.sensitivityLabels.length === 0) {
    return Promise.resolve(null);
  }
  let reading: Promise<string | null>;
  try {
    reading = read();
  } catch (e) {
    reading = Promise.reject(e);
  }
  return reading.then(
    (id): LabelReading => ({ read: true, id: id || null }),
    (): LabelReading => ({ read: false }),
  );
}

/**
 * The label's findings, or why it is unscannable. `reading` is undefined while it has not been read (the send's
 * deadline came first): unscannable for `missing`, the reason the run ended.
 */
export function judgeLabel(
  policy: Policy,
  reading: LabelReading | null | undefined,
  missing: UnscannableReason,
): { findings: Finding[]; unscannable: Unscannable[] } {
  if (policy.sensitivityLabels.length === 0) {
    return { findings: [], unscannable: [] };
  }
  if (!reading) {
    return { findings: [], unscannable: [{ location: 'label', reason: missing }] };
  }
  if (!reading.read) {
    return { findings: [], unscannable: [{ location: 'label', reason: 'unreadable' }] };
  }
  return {
    findings: reading.id ? scanMessage({ sensitivityLabelId: reading.id }, policy).findings : [],
    unscannable: [],
  };
}
