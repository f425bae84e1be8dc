/**
 * The built-ins newer than ES2016 that code bundled into the on-send script calls, for classic Outlook before 2403,
 * whose Chakra runtime lacks them: postal-mime calls `Array.prototype.flatMap` to lay out the header block of a
 * message forwarded inline, and `String.prototype.trimStart`/`trimEnd` in its address parser. Without them such
 * attachments throw, and are blocked as unreadable. Each is installed only where the host has none; a test of the
 * built script checks that every later built-in it calls is in {@link ES2016_POLYFILLS} or guarded by a feature test.
 */

/** What this module provides where the host does not, as `<constructor>.prototype.<name>`. */
export const ES2016_POLYFILLS = ['Array.prototype.flatMap', 'String.prototype.trimStart', 'String.prototype.trimEnd'];

/** `Array.prototype.flatMap`: maps, then flattens one level (holes skipped, as the spec's HasProperty test does). */
export function flatMap<T, U>(
  this: ArrayLike<T>,
  callback: (value: T, index: number, array: ArrayLike<T>) => U | readonly U[],
  thisArg?: unknown,
): U[] {
  if (typeof callback !== 'function') {
    throw new TypeError('flatMap: callback is not a function');
  }
  const source = Object(this) as ArrayLike<T>;
  const length = source.length >>> 0;
  const out: U[] = [];
  for (let i = 0; i < length; i++) {
    if (i in source) {
      const mapped = callback.call(thisArg, source[i] as T, i, source);
      if (Array.isArray(mapped)) {
        for (let j = 0; j < mapped.length; j++) {
          if (j in mapped) {
            out.push(mapped[j] as U);
          }
        }
      } else {
        out.push(mapped as U);
      }
    }
  }
  return out;
}

/** One character of what `trim` removes: `\s` is exactly its white space and line terminators. */
const SPACE = /\s/;

function text(value: unknown, name: string): string {
  if (value === null || value === undefined) {
    throw new TypeError(`${name} called on null or undefined`);
  }
  return String(value);
}

/** `String.prototype.trimStart`. */
export function trimStart(this: unknown): string {
  const s = text(this, 'trimStart');
  let start = 0;
  while (start < s.length && SPACE.test(s.charAt(start))) {
    start++;
  }
  return s.slice(start);
}

/** `String.prototype.trimEnd`, walking back from the end: linear however long a run of spaces inside the string. */
export function trimEnd(this: unknown): string {
  const s = text(this, 'trimEnd');
  let end = s.length;
  while (end > 0 && SPACE.test(s.charAt(end - 1))) {
    end--;
  }
  return s.slice(0, end);
}

function install(target: object, name: string, value: (...args: never[]) => unknown): void {
  if (typeof (target as Record<string, unknown>)[name] !== 'function') {
    Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
  }
}

install(Array.prototype, 'flatMap', flatMap);
install(String.prototype, 'trimStart', trimStart);
install(String.prototype, 'trimEnd', trimEnd);
