/**
 * Putting the reminder on the meeting stage. Only organisers and presenters may share (Teams answers
 * `doesAppHaveSharePermission`), only from the side panel or the stage, and the URL's origin must be among the
 * manifest's `validDomains` (else 501).
 */
import { FrameContexts, meeting, type SdkError } from '@microsoft/teams-js';

import { hostContext } from './app-context';

/**
 * How long a stage call may wait for Teams. teams-js waits for the host's answer forever; a client that never
 * answers (an old one, a host without the capability) would leave the chair with a spinner or a busy button.
 */
export const STAGE_CALL_TIMEOUT_MS = 10_000;

/** Teams' error code for stage sharing (500 internal, 501 not supported here or invalid URL, 1000 no permission), or
 * `timeout` when Teams did not answer within {@link STAGE_CALL_TIMEOUT_MS}. */
export type StageErrorCode = number | 'timeout';

export class StageShareError extends Error {
  constructor(
    readonly code: StageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StageShareError';
  }
}

export type StageCapability =
  | { readonly canShare: true }
  | { readonly canShare: false; readonly reason: 'frame' | 'no-permission' }
  | { readonly canShare: false; readonly reason: 'error'; readonly code: StageErrorCode };

const SHARING_FRAMES: readonly string[] = [FrameContexts.sidePanel, FrameContexts.meetingStage];

const toError = (e: SdkError): StageShareError => new StageShareError(e.errorCode, e.message ?? `error ${e.errorCode}`);

/** Calls Teams with `settle` for its answer; `onTimeout` runs instead if Teams has not answered in time. */
function withTimeout<T>(call: (settle: (outcome: () => T) => void) => void, onTimeout: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (outcome: () => T): void => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      try {
        resolve(outcome());
      } catch (e) {
        reject(e);
      }
    };
    const timer = setTimeout(() => finish(onTimeout), STAGE_CALL_TIMEOUT_MS);
    call(finish);
  });
}

/** Whether this user may share to the stage from here; never throws. */
export function stageCapability(): Promise<StageCapability> {
  if (!SHARING_FRAMES.includes(hostContext('stageCapability').frame)) {
    return Promise.resolve({ canShare: false, reason: 'frame' });
  }
  return withTimeout<StageCapability>(
    (settle) =>
      meeting.getAppContentStageSharingCapabilities((error, capabilities) =>
        settle(() =>
          error
            ? { canShare: false, reason: 'error', code: error.errorCode }
            : capabilities?.doesAppHaveSharePermission
              ? { canShare: true }
              : { canShare: false, reason: 'no-permission' },
        ),
      ),
    () => ({ canShare: false, reason: 'error', code: 'timeout' }),
  );
}

/** Shares `url` to the stage. @throws {StageShareError} with Teams' code when Teams refuses, or `timeout`. */
export function shareToStage(url: string): Promise<void> {
  if (!SHARING_FRAMES.includes(hostContext('shareToStage').frame)) {
    return Promise.reject(new Error('[shareToStage] only from the side panel or the stage'));
  }
  return withTimeout<void>(
    (settle) =>
      meeting.shareAppContentToStage(
        (error, result) =>
          settle(() => {
            if (error) {
              throw toError(error);
            }
            if (result === false) {
              throw new StageShareError(500, 'Teams did not share the content');
            }
          }),
        url,
        { sharingProtocol: meeting.SharingProtocol.Collaborative },
      ),
    () => {
      throw new StageShareError('timeout', 'Teams did not answer');
    },
  );
}
