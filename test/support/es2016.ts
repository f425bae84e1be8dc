/**
 * Removes the built-ins newer than ES2016 from a `vm` context, as classic Outlook's JS-only runtime before build
 * 2403 (Chakra) lacks them: code that runs after this runs there too, as far as built-ins go.
 */
export const ES2016_ONLY = `
  delete String.prototype.matchAll; delete String.prototype.padStart; delete String.prototype.padEnd;
  delete String.prototype.trimStart; delete String.prototype.trimEnd; delete String.prototype.replaceAll;
  delete String.prototype.at; delete Array.prototype.flat; delete Array.prototype.flatMap; delete Array.prototype.at;
  delete Array.prototype.findLast; delete Object.fromEntries; delete Object.values; delete Object.entries;
  delete Object.getOwnPropertyDescriptors; delete Object.hasOwn; delete Promise.prototype.finally;
  delete Promise.allSettled; delete Promise.any; delete globalThis.TextEncoder; delete globalThis.TextDecoder;
`;
