export * from './commitment';
export * from './decide';
export { type CompiledCustomRule, type DetectOptions, detectSegment } from './detect';
export { escapeHtml, findTagEnd, htmlSegments, type HtmlText, htmlToText } from './html';
export * from './levels';
export { normalise, type NormalisedText } from './normalise';
export {
  findPersonalData,
  isValidNationalId,
  isValidResidentCertificate,
  isValidUbn,
  type PersonalDataRule,
} from './personal-data';
export * from './policy';
export { RECEIPT_NUMBER_PATTERN, RECEIPT_NUMBER_SOURCE } from './receipt-id';
export { utf8Bytes } from './regex';
export { bytesOfHex, hexOf, hmacSha256, sha256Hex } from './sha256';
export * from './strip';
export * from './types';
