/**
 * Decision events for the server's audit log: rule ids, levels, counts, sizes and hashes, never text. A send never
 * waits for the server. The event is queued first (classic Outlook may stop running this script as soon as the event
 * is completed), then sent; whatever fails stays queued and goes out with the next event. The queue lives where it
 * will survive: in sessionData when the item stays open (the send was stopped), in roaming settings when it may
 * leave (allowed, or sent anyway after a warning), since sessionData goes with the item: then the events held in
 * sessionData move to roaming settings too. Each queue is bounded by its share of its store, measured as Office
 * measures it (storage-budget.ts), so it never makes the store refuse a save.
 */
import { type Verdict } from '../../src/core';
import { type ApiClient, type AuditDecisionEvent, type AuditPolicySource, auditRules } from '../../src/shared/api';
import { roamingSettings, sessionData } from '../office';
import type { RecipientSummary } from './recipients';
import { AUDIT_ROAMING_MAX_CHARS, AUDIT_SESSION_MAX_CHARS, measuredEntryLength } from './storage-budget';
import { background } from './timing';

export const AUDIT_QUEUE_KEY = 'sg.audit';
/** Most events kept in each queue; older ones give way to newer ones. */
export const AUDIT_QUEUE_MAX_EVENTS = 20;

export interface DecisionFacts {
  readonly kind: AuditDecisionEvent['kind'];
  readonly verdict: Verdict;
  readonly recipients: RecipientSummary | null;
  readonly attachmentCount: number;
  readonly bodyBytes: number;
  readonly messageIdHash: string | null;
  readonly policyVersion: number;
  readonly policySource: AuditPolicySource;
  readonly policyFingerprint: string;
}

const unique = (values: readonly string[]): string[] => values.filter((v, i) => values.indexOf(v) === i);

/** The audit event of a decision: what was found and judged, with nothing of what the message says. */
export function decisionEvent(facts: DecisionFacts): AuditDecisionEvent {
  const v = facts.verdict;
  return {
    kind: facts.kind,
    verdict: v.verdict,
    level: v.level,
    scope: v.scope,
    rules: auditRules(v.findings.map((f) => f.rule)),
    unscannable: unique(v.unscannable.map((u) => u.reason)),
    findingCount: v.findings.length,
    attachmentCount: facts.attachmentCount,
    recipientCount: facts.recipients ? facts.recipients.count : 0,
    externalRecipientCount: facts.recipients ? facts.recipients.external : 0,
    bodyBytes: facts.bodyBytes,
    ...(facts.messageIdHash ? { messageIdHash: facts.messageIdHash } : {}),
    policyVersion: facts.policyVersion,
    policySource: facts.policySource,
    policyFingerprint: facts.policyFingerprint,
  };
}

type QueueStore = 'session' | 'roaming';

function parseQueue(raw: unknown): AuditDecisionEvent[] {
  try {
    const list: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
    return Array.isArray(list) ? (list.filter((e) => e && typeof e === 'object') as AuditDecisionEvent[]) : [];
  } catch {
    return [];
  }
}

const MAX_CHARS: Readonly<Record<QueueStore, number>> = {
  session: AUDIT_SESSION_MAX_CHARS,
  roaming: AUDIT_ROAMING_MAX_CHARS,
};

/** The newest events that fit the store's share, as Office measures it. */
function bounded(events: readonly AuditDecisionEvent[], store: QueueStore): AuditDecisionEvent[] {
  const out = events.slice(-AUDIT_QUEUE_MAX_EVENTS);
  while (out.length > 0 && measuredEntryLength(AUDIT_QUEUE_KEY, out) > MAX_CHARS[store]) {
    out.shift();
  }
  return out;
}

async function readQueue(store: QueueStore): Promise<AuditDecisionEvent[]> {
  if (store === 'session') {
    return sessionData.supported() ? parseQueue(await sessionData.get(AUDIT_QUEUE_KEY)) : [];
  }
  return roamingSettings.supported() ? parseQueue(roamingSettings.get(AUDIT_QUEUE_KEY)) : [];
}

async function writeQueue(store: QueueStore, events: readonly AuditDecisionEvent[]): Promise<void> {
  if (store === 'session') {
    if (!sessionData.supported()) {
      return;
    }
    await (events.length > 0
      ? sessionData.set(AUDIT_QUEUE_KEY, JSON.stringify(events))
      : sessionData.remove(AUDIT_QUEUE_KEY));
    return;
  }
  if (!roamingSettings.supported()) {
    return;
  }
  if (events.length > 0) {
    roamingSettings.set(AUDIT_QUEUE_KEY, events);
  } else {
    roamingSettings.remove(AUDIT_QUEUE_KEY);
  }
  await roamingSettings.save();
}

/**
 * Queues one event: in sessionData when the item stays open, in roaming settings when it may be sent. Resolves once
 * the event is held where the next event will find it.
 */
export async function enqueueAudit(event: AuditDecisionEvent, itemMayLeave: boolean): Promise<void> {
  if (!itemMayLeave || !roamingSettings.supported()) {
    await writeQueue('session', bounded((await readQueue('session')).concat([event]), 'session'));
    return;
  }
  // What waited in sessionData (sends stopped while the server was away) leaves with the item unless it moves too.
  const held = await readQueue('session').then(undefined, () => [] as AuditDecisionEvent[]);
  // Held in memory at once, so the send can complete; saving to the mailbox goes on in the background.
  roamingSettings.set(AUDIT_QUEUE_KEY, bounded((await readQueue('roaming')).concat(held, [event]), 'roaming'));
  background(roamingSettings.save());
  if (held.length > 0) {
    await sessionData.remove(AUDIT_QUEUE_KEY);
  }
}

let flushing: Promise<number> | null = null;

async function flushStore(api: ApiClient, store: QueueStore): Promise<number> {
  const queue = await readQueue(store);
  let sent = 0;
  for (const event of queue) {
    try {
      await api.audit(event);
    } catch {
      break;
    }
    sent++;
  }
  if (sent > 0) {
    // Events queued meanwhile by another run are kept: only what was sent is taken off the front.
    const now = await readQueue(store);
    const sentJson = queue.slice(0, sent).map((e) => JSON.stringify(e));
    let i = 0;
    while (i < now.length && i < sentJson.length && JSON.stringify(now[i]) === sentJson[i]) {
      i++;
    }
    await writeQueue(store, now.slice(i));
  }
  return sent;
}

/**
 * Sends every queued event, oldest first, stopping at the first failure (the rest stay queued). One flush at a
 * time per runtime. Resolves to how many went out; never rejects.
 */
export function flushAuditQueue(api: ApiClient): Promise<number> {
  if (!flushing) {
    flushing = Promise.all([
      flushStore(api, 'session').then(undefined, () => 0),
      flushStore(api, 'roaming').then(undefined, () => 0),
    ]).then(([a, b]) => {
      flushing = null;
      return a + b;
    });
  }
  return flushing;
}

/** Bytes of `text` in UTF-8, without building them. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      n += 1;
    } else if (c < 0x800) {
      n += 2;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    } else {
      n += 3;
    }
  }
  return n;
}
