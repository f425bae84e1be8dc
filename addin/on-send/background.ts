/**
 * The events that prepare a send while the user writes. OnMessageAttachmentsChanged and
 * OnAppointmentAttachmentsChanged scan new attachments and cache the results in sessionData (the send handler then
 * fetches nothing it has seen). Both they and OnMessageRecipientsChanged refresh the cached policy and send queued
 * audit events; nothing is stored for the recipients, since the pane and the send read and judge them themselves.
 * Each completes exactly once, by a deadline at the latest.
 */
import { budgetFor } from '../../src/extract';
import { completionOf, type LaunchEvent, listAttachments } from '../office';
import { apiClient } from './api-client';
import { AttachmentCache } from './attachment-cache';
import { scanAttachment, sendExtractOptions } from './attachment-scan';
import { flushAuditQueue } from './audit';
import { AUDIT_FLUSH_WAIT_MS, BACKGROUND_DEADLINE_MS, POLICY_FRESH_MS, POLICY_WAIT_MS } from './config';
import { resolvePolicy } from './policy-source';
import { within } from './timing';

/** Runs `work` and completes the event when it ends, fails, or the deadline passes, whichever is first. */
function runToCompletion(event: LaunchEvent, work: (stopped: () => boolean) => Promise<void>): void {
  const completion = completionOf(event);
  let timer: ReturnType<typeof setTimeout> | null = setTimeout(() => {
    timer = null;
    completion.complete();
  }, BACKGROUND_DEADLINE_MS);
  const end = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    completion.complete();
  };
  let running: Promise<void>;
  try {
    running = work(() => completion.done);
  } catch (e) {
    running = Promise.reject(e);
  }
  running.then(end, end);
}

/** OnMessageAttachmentsChanged / OnAppointmentAttachmentsChanged. */
export function prescanAttachments(event: LaunchEvent): void {
  runToCompletion(event, async (stopped) => {
    const api = apiClient();
    const flushing = flushAuditQueue(api);
    const choice = await resolvePolicy({ api, waitMs: POLICY_WAIT_MS, freshMs: POLICY_FRESH_MS });
    const attachments = await listAttachments();
    const cache = await AttachmentCache.load();
    cache.retain(attachments);
    const options = sendExtractOptions(budgetFor(choice.policy.limits));
    for (let i = 0; i < attachments.length && i < choice.policy.limits.maxAttachments; i++) {
      const attachment = attachments[i] as (typeof attachments)[number];
      if (stopped()) {
        return;
      }
      if (cache.lookup(attachment, choice.fingerprint)) {
        continue;
      }
      cache.put(attachment, choice.fingerprint, await scanAttachment(attachment, choice.policy, options));
      // Saved as it goes: the runtime may be ended before the last attachment.
      await cache.save();
    }
    await cache.save();
    await within(flushing, AUDIT_FLUSH_WAIT_MS);
  });
}

/** OnMessageRecipientsChanged: a moment while the user writes to fetch the policy and send the audit queue. */
export function refreshOnRecipientsChange(event: LaunchEvent): void {
  runToCompletion(event, async () => {
    const api = apiClient();
    const flushing = flushAuditQueue(api);
    await resolvePolicy({ api, waitMs: POLICY_WAIT_MS, freshMs: POLICY_FRESH_MS });
    await within(flushing, AUDIT_FLUSH_WAIT_MS);
  });
}
