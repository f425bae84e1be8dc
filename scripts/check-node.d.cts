/** Null when `version` meets `range` (">=X.Y.Z"), otherwise the zh-TW/English message to print. */
export function nodeVersionProblem(version: string, range: string): string | null;
/** package.json's `engines.node`. */
export function requiredRange(): string;
