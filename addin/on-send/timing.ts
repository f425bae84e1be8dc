/**
 * Waiting with a bound, and nothing left behind: every timer started here is cleared as soon as it is not needed, so
 * no stray callback runs after an event has completed (office-js #6656).
 */
export type Bounded<T> = { readonly settled: true; readonly value: T } | { readonly settled: false };

/** `promise`'s value if it resolves within `ms`, otherwise `{ settled: false }`; a rejection rejects. */
export function within<T>(promise: Promise<T>, ms: number): Promise<Bounded<T>> {
  return new Promise<Bounded<T>>((resolve, reject) => {
    const timer = setTimeout(() => resolve({ settled: false }), Math.max(0, ms));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ settled: true, value });
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Swallows a background promise's failure: it has nobody to report to and must not surface as unhandled. */
export function background(promise: Promise<unknown>): void {
  promise.then(undefined, () => undefined);
}
