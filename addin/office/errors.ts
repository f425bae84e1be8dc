/**
 * Office's failures as one typed error. Office reports them as `AsyncResult.error` (`code`, `name`, `message`) or
 * throws synchronously for bad arguments and missing permissions; `OfficeRuntime.auth` rejects with a `code`. Callers
 * decide by `code`/`officeName`, never by message text, which is localised.
 */
export class OfficeApiError extends Error {
  constructor(
    /** The API that failed, e.g. `getAttachmentContentAsync`. */
    readonly api: string,
    /** Office's numeric error code (9003, 9051, 13001 …), or null when there was none. */
    readonly code: number | null,
    /** Office's error name (`InvalidAttachmentId` …), or null when there was none. */
    readonly officeName: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'OfficeApiError';
  }
}

export function isOfficeApiError(e: unknown): e is OfficeApiError {
  return e instanceof OfficeApiError;
}

/**
 * Office error codes this add-in acts on (office-js `outlook-*.js`, `addErrorMessage`). The set is closed here so a
 * caller cannot match a misspelt name.
 */
export const OFFICE_ERRORS = {
  InvalidAttachmentId: 9003,
  GenericSettingsError: 9019,
  AttachmentTypeNotSupported: 9043,
  ItemNotSaved: 9046,
  KeyNotFound: 9050,
  SessionObjectMaxLengthExceeded: 9051,
  AttachmentDownloadFailed: 9054,
} as const;

/** The error of a failed call, whatever shape the host gave it. */
export function toOfficeApiError(api: string, error: unknown): OfficeApiError {
  if (error instanceof OfficeApiError) {
    return error;
  }
  const e = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  const code =
    typeof e.code === 'number' ? e.code : typeof e.code === 'string' && /^\d+$/.test(e.code) ? +e.code : null;
  const name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : null;
  const message = typeof e.message === 'string' && e.message ? e.message : String(error);
  return new OfficeApiError(api, code, name, `${api}: ${message}`);
}
