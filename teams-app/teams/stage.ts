/**
 * Putting the reminder on the meeting stage. Only organisers and presenters may share (Teams answers
 * `doesAppHaveSharePermission`), only from the side panel or the stage, and the URL's origin must be among the
 * manifest's `validDomains` (else 501).
 */
import { FrameContexts, meeting, type SdkError } from '@microsoft/teams-js';

import { hostContext } from './app-context';

/** Teams' error codes for stage sharing: 500 internal, 501 not supported here or invalid URL, 1000 no permission. */
export class StageShareError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'StageShareError';
  }
}

export type StageCapability =
  | { readonly canShare: true }
  | { readonly canShare: false; readonly reason: 'frame' | 'no-permission' | 'error'; readonly code?: number };

const SHARING_FRAMES: readonly string[] = [FrameContexts.sidePanel, FrameContexts.meetingStage];

const toError = (e: SdkError): StageShareError => new StageShareError(e.errorCode, e.message ?? `error ${e.errorCode}`);

/** Whether this user may share to the stage from here; never throws. */
export function stageCapability(): Promise<StageCapability> {
  if (!SHARING_FRAMES.includes(hostContext('stageCapability').frame)) {
    return Promise.resolve({ canShare: false, reason: 'frame' });
  }
  return new Promise((resolve) => {
    meeting.getAppContentStageSharingCapabilities((error, capabilities) => {
      if (error) {
        resolve({ canShare: false, reason: 'error', code: error.errorCode });
      } else if (capabilities?.doesAppHaveSharePermission) {
        resolve({ canShare: true });
      } else {
        resolve({ canShare: false, reason: 'no-permission' });
      }
    });
  });
}

/** Shares `url` to the stage. @throws {StageShareError} with Teams' code when Teams refuses. */
export function shareToStage(url: string): Promise<void> {
  if (!SHARING_FRAMES.includes(hostContext('shareToStage').frame)) {
    return Promise.reject(new Error('[shareToStage] only from the side panel or the stage'));
  }
  return new Promise((resolve, reject) => {
    meeting.shareAppContentToStage(
      (error, result) => {
        if (error) {
          reject(toError(error));
        } else if (result === false) {
          reject(new StageShareError(500, 'Teams did not share the content'));
        } else {
          resolve();
        }
      },
      url,
      { sharingProtocol: meeting.SharingProtocol.Collaborative },
    );
  });
}
