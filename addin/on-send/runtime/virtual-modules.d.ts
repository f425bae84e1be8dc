/** Modules the on-send build generates (webpack VirtualUrlPlugin, see webpack.config.js). */
declare module 'virtual:big5-index' {
  /** The packed Big5 index for `setBig5Index`. */
  const packed: string;
  export default packed;
}

declare module 'virtual:gb18030-index' {
  /** The packed GB18030 two-byte index and four-byte ranges for `setGb18030Index`. */
  const packed: { index: string; ranges: number[] };
  export default packed;
}
