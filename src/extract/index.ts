export { type ParsedMessage, parseEml } from './eml';
export { declaredHtmlCharset, type DecodedText, decodeText } from './text';
