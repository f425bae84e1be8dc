export { type Budget, budgetFor } from './budget';
export { blocksWhatIsLeft, EVERY_SCOPE } from './early-stop';
export { emlToExtracted, type ParsedMessage, parseEml } from './eml';
export {
  extractFile,
  type ExtractJob,
  type ExtractLimits,
  type ExtractOptions,
  type ExtractProgress,
  type FileKind,
  newJob,
  sniff,
} from './extract';
export {
  extractPdf,
  PDF_LOAD_CAP_MS,
  PDF_READER_GONE,
  PDF_TIMEOUT,
  type PdfDocument,
  type PdfJs,
  type PdfOptions,
  type PdfPage,
  type PdfPages,
  pdfReaderError,
} from './pdf';
export { annotationTextOf, type PdfOps } from './pdf-annotation-text';
export { type Extracted, type FoundLabel } from './segments';
export { declaredHtmlCharset, type DecodedText, decodeText } from './text';
export { readZipDirectory, readZipEntry, ZipError, type ZipLimits } from './zip';
