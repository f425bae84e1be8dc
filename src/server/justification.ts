/**
 * An override justification is the only free text the audit log takes: the sender's reason for sending despite a
 * warning, which a 政風 officer reviewing overrides needs to read. It is not message content, so it may be stored, but
 * only bounded, on an override, without control characters, and without a classification mark: a reason that carries
 * a 密等 mark is content pasted in, and is refused rather than logged.
 */
import { detectOptionsFor, detectSegment, type Policy } from '../core';
import { JUSTIFICATION_LIMITS } from '../shared/api';
import { HttpError } from './http';

export const JUSTIFICATION_SCHEMA = {
  type: 'string',
  minLength: JUSTIFICATION_LIMITS.minLength,
  maxLength: JUSTIFICATION_LIMITS.maxLength,
} as const;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/** @throws {HttpError} 400 when the justification may not be logged. */
export function checkJustification(kind: string, justification: string | undefined, policy: Policy): void {
  if (justification === undefined) {
    return;
  }
  if (kind !== 'override') {
    throw new HttpError(400, 'invalid_request', '只有覆寫事件可附理由 / Only an override carries a justification');
  }
  if (CONTROL.test(justification) || justification.trim().length < JUSTIFICATION_LIMITS.minLength) {
    throw new HttpError(400, 'invalid_justification', '理由格式不正確 / The justification is not valid text');
  }
  const marks = detectSegment(
    { location: 'justification', text: justification, position: 'body' },
    detectOptionsFor(policy),
  );
  if (marks.length > 0) {
    throw new HttpError(
      400,
      'justification_has_mark',
      '理由中含機敏標示，請勿貼上郵件內容 / The justification carries a classification mark; do not paste mail content',
    );
  }
}
