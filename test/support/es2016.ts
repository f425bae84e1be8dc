/**
 * Turns a `vm` context into ES2016 as far as built-ins go, as classic Outlook's JS-only runtime before build 2403
 * (Chakra) is: from an allow-list of what ECMA-262 7th edition (2016) defines, not a list of what came later, so a
 * built-in added to V8 next year is gone too. The global object keeps only ES2016's globals (plus Intl, which Chakra
 * has, and the host globals the caller names); the constructors and prototypes that later editions extended keep only
 * their ES2016 properties. Code that runs after this runs there too, as far as built-ins go.
 */

/** The global object's properties in ES2016 (§18), and Intl (ECMA-402). */
const GLOBALS = [
  'Infinity',
  'NaN',
  'undefined',
  'eval',
  'isFinite',
  'isNaN',
  'parseFloat',
  'parseInt',
  'decodeURI',
  'decodeURIComponent',
  'encodeURI',
  'encodeURIComponent',
  'escape',
  'unescape',
  'Array',
  'ArrayBuffer',
  'Boolean',
  'DataView',
  'Date',
  'Error',
  'EvalError',
  'Float32Array',
  'Float64Array',
  'Function',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Map',
  'Number',
  'Object',
  'Promise',
  'Proxy',
  'RangeError',
  'ReferenceError',
  'RegExp',
  'Set',
  'String',
  'Symbol',
  'SyntaxError',
  'TypeError',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'URIError',
  'WeakMap',
  'WeakSet',
  'JSON',
  'Math',
  'Reflect',
  'Intl',
];

const FUNCTION_OWN = ['length', 'name', 'prototype'];
const ITERABLE = ['@@iterator'];

/** The methods Array.prototype and the typed arrays' prototype share in ES2016. */
const ARRAY_METHODS = [
  ...['copyWithin', 'entries', 'every', 'fill', 'filter', 'find', 'findIndex', 'forEach', 'includes', 'indexOf'],
  ...['join', 'keys', 'lastIndexOf', 'map', 'reduce', 'reduceRight', 'reverse', 'slice', 'some', 'sort'],
  ...['toLocaleString', 'toString', 'values'],
];

/**
 * The ES2016 own properties of each object later editions added to (`@@x` is the well-known symbol `Symbol.x`). The
 * ones no edition has changed since (Number, Boolean, Date, Reflect, Map.prototype, WeakMap…) are left as they are.
 */
const OBJECTS: Record<string, readonly string[]> = {
  Object: [
    ...FUNCTION_OWN,
    'assign',
    'create',
    'defineProperties',
    'defineProperty',
    'freeze',
    'getOwnPropertyDescriptor',
    'getOwnPropertyNames',
    'getOwnPropertySymbols',
    'getPrototypeOf',
    'is',
    'isExtensible',
    'isFrozen',
    'isSealed',
    'keys',
    'preventExtensions',
    'seal',
    'setPrototypeOf',
  ],
  Array: [...FUNCTION_OWN, 'from', 'isArray', 'of', '@@species'],
  'Array.prototype': [
    ...ARRAY_METHODS,
    ...['length', 'constructor', 'concat', 'pop', 'push', 'shift', 'splice', 'unshift', '@@unscopables'],
    ...ITERABLE,
  ],
  String: [...FUNCTION_OWN, 'fromCharCode', 'fromCodePoint', 'raw'],
  'String.prototype': [
    'length',
    'constructor',
    // Annex B's HTML methods and substr.
    'anchor',
    'big',
    'blink',
    'bold',
    'fixed',
    'fontcolor',
    'fontsize',
    'italics',
    'link',
    'small',
    'strike',
    'sub',
    'substr',
    'sup',
    'charAt',
    'charCodeAt',
    'codePointAt',
    'concat',
    'endsWith',
    'includes',
    'indexOf',
    'lastIndexOf',
    'localeCompare',
    'match',
    'normalize',
    'repeat',
    'replace',
    'search',
    'slice',
    'split',
    'startsWith',
    'substring',
    'toLocaleLowerCase',
    'toLocaleUpperCase',
    'toLowerCase',
    'toString',
    'toUpperCase',
    'trim',
    'valueOf',
    ...ITERABLE,
  ],
  Symbol: [
    ...FUNCTION_OWN,
    'for',
    'keyFor',
    'hasInstance',
    'isConcatSpreadable',
    'iterator',
    'match',
    'replace',
    'search',
    'species',
    'split',
    'toPrimitive',
    'toStringTag',
    'unscopables',
  ],
  'Symbol.prototype': ['constructor', 'toString', 'valueOf', '@@toPrimitive', '@@toStringTag'],
  Promise: [...FUNCTION_OWN, 'all', 'race', 'reject', 'resolve', '@@species'],
  'Promise.prototype': ['constructor', 'then', 'catch', '@@toStringTag'],
  Map: [...FUNCTION_OWN, '@@species'],
  'Set.prototype': [
    'constructor',
    'size',
    'add',
    'clear',
    'delete',
    'entries',
    'forEach',
    'has',
    'keys',
    'values',
    '@@toStringTag',
    ...ITERABLE,
  ],
  RegExp: [
    ...FUNCTION_OWN,
    '@@species',
    // The legacy static properties every engine of the time had.
    ...['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9', 'input', '$_', 'lastMatch', '$&', 'lastParen', '$+'],
    ...['leftContext', '$`', 'rightContext', "$'"],
  ],
  'RegExp.prototype': [
    'constructor',
    'compile',
    'exec',
    'flags',
    'global',
    'ignoreCase',
    'multiline',
    'source',
    'sticky',
    'unicode',
    'test',
    'toString',
    '@@match',
    '@@replace',
    '@@search',
    '@@split',
  ],
  ArrayBuffer: [...FUNCTION_OWN, 'isView', '@@species'],
  'ArrayBuffer.prototype': ['constructor', 'byteLength', 'slice', '@@toStringTag'],
  '%TypedArray%': [...FUNCTION_OWN, 'from', 'of', '@@species'],
  '%TypedArray%.prototype': [
    ...ARRAY_METHODS,
    ...['constructor', 'buffer', 'byteLength', 'byteOffset', 'length', 'set', 'subarray', '@@toStringTag'],
    ...ITERABLE,
  ],
  'DataView.prototype': [
    'constructor',
    'buffer',
    'byteLength',
    'byteOffset',
    ...['Int8', 'Uint8', 'Int16', 'Uint16', 'Int32', 'Uint32', 'Float32', 'Float64'].flatMap((t) => [
      `get${t}`,
      `set${t}`,
    ]),
    '@@toStringTag',
  ],
  Error: [...FUNCTION_OWN, 'stackTraceLimit'],
  JSON: ['parse', 'stringify', '@@toStringTag'],
  Math: [
    ...['E', 'LN10', 'LN2', 'LOG10E', 'LOG2E', 'PI', 'SQRT1_2', 'SQRT2', '@@toStringTag'],
    ...['abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'atan2', 'cbrt', 'ceil', 'clz32', 'cos', 'cosh'],
    ...['exp', 'expm1', 'floor', 'fround', 'hypot', 'imul', 'log', 'log1p', 'log10', 'log2', 'max', 'min', 'pow'],
    ...['random', 'round', 'sign', 'sin', 'sinh', 'sqrt', 'tan', 'tanh', 'trunc'],
  ],
  // ES2025's iterator helpers (map, filter, take, toArray …) live here.
  '%IteratorPrototype%': ITERABLE,
};

/**
 * Runs in the context, before any other script (`this` is its global object there): deletes every own property the
 * lists above do not name, then checks that nothing survived (a property that cannot be deleted would).
 */
const PRUNE = `(function (global, globalNames, objects) {
  var keep = function (list) { var set = Object.create(null); list.forEach(function (n) { set[n] = true; }); return set; };
  var nameOf = function (key) {
    return typeof key === 'symbol' ? '@@' + String(key).slice('Symbol(Symbol.'.length, -1) : key;
  };
  var roots = {
    '%TypedArray%': Object.getPrototypeOf(Int8Array),
    '%IteratorPrototype%': Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())),
  };
  var lookup = function (path) {
    var parts = path.split('.');
    var first = parts[0] in roots ? roots[parts[0]] : global[parts[0]];
    return parts.slice(1).reduce(function (o, p) { return o[p]; }, first);
  };
  var prune = function (target, allowed) {
    Reflect.ownKeys(target).forEach(function (key) {
      if (!allowed[nameOf(key)]) {
        delete target[key];
        // Only the well-known symbols (Symbol.asyncIterator …) are constants that cannot go; a symbol is no built-in.
        if (Object.prototype.hasOwnProperty.call(target, key) && target !== Symbol) {
          throw new Error('es2016Only: cannot delete ' + String(key));
        }
      }
    });
  };
  var targets = Object.keys(objects).map(function (path) { return [lookup(path), keep(objects[path])]; });
  targets.forEach(function (t) { prune(t[0], t[1]); });
  prune(global, keep(globalNames));
})`;

/**
 * The script that prunes a context to ES2016; `hostGlobals` are the globals the host itself gives the script (timers,
 * `fetch`, `Office` …), which stay.
 */
export function es2016Only(hostGlobals: readonly string[]): string {
  return `${PRUNE}(this, ${JSON.stringify([...GLOBALS, ...hostGlobals])}, ${JSON.stringify(OBJECTS)});`;
}

/** The ES2016 globals' names, for tests that check what a pruned context still has. */
export const ES2016_GLOBALS: readonly string[] = GLOBALS;
