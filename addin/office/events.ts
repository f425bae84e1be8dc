/// <reference types="office-js" />
/**
 * Event-based activation: registering handlers and completing events. Outlook must be told exactly once per event;
 * classic Outlook keeps running after `completed()`, and a second call from a stray timer once released a blocked
 * mail (office-js #6656). So every handler completes through {@link completionOf}, which lets only the first call
 * through.
 */

/** The event object Outlook passes to a launch-event handler (`Office.MailboxEvent` plus event-specific fields). */
export interface LaunchEvent {
  completed(options?: object): void;
  readonly type?: string;
}

/** Registers `handler` under the action id the manifest names. */
export function associateHandler(actionId: string, handler: (event: LaunchEvent) => void): void {
  Office.actions.associate(actionId, handler);
}

/** How a send event ends (Smart Alerts). Options newer than the host's requirement sets must be left out. */
export interface SendCompletion {
  readonly allowEvent: boolean;
  /** Plain text, at most 500 characters (Mailbox 1.12). */
  readonly errorMessage?: string;
  /** Markdown, at most 500 characters (Mailbox 1.15). */
  readonly errorMessageMarkdown?: string;
  /** At most 20 characters (Mailbox 1.14). */
  readonly cancelLabel?: string;
  /** The manifest id of the task pane the dialog's button opens (Mailbox 1.14). */
  readonly commandId?: string;
  /** Passed to the task pane with `commandId`; a string, which every 1.14 client accepts. */
  readonly contextData?: string;
  /** Let the user send anyway: `sendModeOverride: promptUser` (Mailbox 1.14). */
  readonly promptUser?: boolean;
}

export interface Completion {
  /** True once the event has been completed (by this call or an earlier one). */
  readonly done: boolean;
  /** Completes the event unless it already was; returns whether this call did it. */
  complete(options?: SendCompletion): boolean;
}

function officeOptions(options: SendCompletion): Office.SmartAlertsEventCompletedOptions {
  const out: Office.SmartAlertsEventCompletedOptions = { allowEvent: options.allowEvent };
  if (options.errorMessage !== undefined) {
    out.errorMessage = options.errorMessage;
  }
  if (options.errorMessageMarkdown !== undefined) {
    out.errorMessageMarkdown = options.errorMessageMarkdown;
  }
  if (options.cancelLabel !== undefined) {
    out.cancelLabel = options.cancelLabel;
  }
  if (options.commandId !== undefined) {
    out.commandId = options.commandId;
    if (options.contextData !== undefined) {
      out.contextData = options.contextData;
    }
  }
  if (options.promptUser) {
    out.sendModeOverride = Office.MailboxEnums.SendModeOverride.PromptUser;
  }
  return out;
}

/** The once-only completion of `event`. */
export function completionOf(event: LaunchEvent): Completion {
  let done = false;
  return {
    get done() {
      return done;
    },
    complete(options?: SendCompletion): boolean {
      if (done) {
        return false;
      }
      done = true;
      if (!options) {
        event.completed();
        return true;
      }
      try {
        event.completed(officeOptions(options));
      } catch {
        // A host that rejects an option still gets the decision itself, in the 1.12 form every sender supports.
        event.completed({
          allowEvent: options.allowEvent,
          ...(options.errorMessage !== undefined ? { errorMessage: options.errorMessage } : {}),
        });
      }
      return true;
    },
  };
}
