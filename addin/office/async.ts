/// <reference types="office-js" />
import { toOfficeApiError } from './errors';

/**
 * One `*Async` call as a promise: the value on success, an {@link OfficeApiError} with Office's code and name on
 * failure. Office also throws synchronously (bad arguments, a missing permission); that rejects the same way, so a
 * caller's `await` sees every failure.
 */
export function officeAsync<T>(
  api: string,
  start: (callback: (result: Office.AsyncResult<T>) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      start((result) => {
        if (result && result.status === Office.AsyncResultStatus.Succeeded) {
          resolve(result.value);
        } else {
          reject(toOfficeApiError(api, result ? result.error : null));
        }
      });
    } catch (e) {
      reject(toOfficeApiError(api, e));
    }
  });
}
