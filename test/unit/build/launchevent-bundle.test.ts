/**
 * What ships for the on-send path: dist/addin/launchevent.js is one ES2016 script with no module system, no host
 * globals it cannot count on and only ASCII; commands.html loads office.js (Microsoft's CDN unless the build
 * self-hosts it, test/unit/build/office-js-setting.test.ts) and then the script; the script itself never loads
 * office.js, since classic Outlook on Windows runs it alone in its JavaScript-only runtime.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';

import { type Node, parse } from 'acorn';

import { ES2016_POLYFILLS, flatMap, trimEnd, trimStart } from '../../../addin/on-send/runtime/es-builtins';
import { ADDIN_ACTIONS } from '../../../src/shared/app-ids';
import { es2016Only } from '../../support/es2016';
import { DIST, ensureWebBuild, WEB_BUILD_TIMEOUT_MS } from '../../support/web-build';

let source = '';
beforeAll(async () => {
  await ensureWebBuild();
  source = readFileSync(path.join(DIST, 'addin', 'launchevent.js'), 'utf8');
}, WEB_BUILD_TIMEOUT_MS);

/** Every identifier read as a variable (not a property name or a key) anywhere in the program. */
function referencedNames(program: Node): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown, parent: Record<string, unknown> | null, key: string | null): void => {
    if (!node || typeof node !== 'object') {
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((n) => visit(n, parent, key));
      return;
    }
    const n = node as Record<string, unknown> & { type?: string; name?: string };
    if (n.type === 'Identifier') {
      const isProperty =
        (parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) ||
        (parent?.type === 'Property' && key === 'key' && !parent.computed) ||
        (parent?.type === 'MethodDefinition' && key === 'key' && !parent.computed);
      if (!isProperty) {
        names.add(n.name as string);
      }
      return;
    }
    for (const [k, v] of Object.entries(n)) {
      if (k !== 'type' && k !== 'start' && k !== 'end') {
        visit(v, n, k);
      }
    }
  };
  visit(program, null, null);
  return names;
}

describe('dist/addin/launchevent.js', () => {
  it('parses as an ES2016 script (no import, export or later syntax)', () => {
    expect(() => parse(source, { ecmaVersion: 2016, sourceType: 'script' })).not.toThrow();
  });

  it('touches no DOM, storage, module system or host API it cannot count on in the JS-only runtime', () => {
    const names = referencedNames(parse(source, { ecmaVersion: 2016, sourceType: 'script' }));
    for (const forbidden of [
      'document',
      'window',
      'localStorage',
      'sessionStorage',
      'atob',
      'btoa',
      'TextDecoder',
      'TextEncoder',
      'Blob',
      'File',
      'FileReader',
      'XMLHttpRequest',
      'require',
      'module',
      'exports',
      'process',
      'importScripts',
      'eval',
    ]) {
      expect({ name: forbidden, used: names.has(forbidden) }).toEqual({ name: forbidden, used: false });
    }
    // What it does use from the host: Office, OfficeRuntime, fetch and timers.
    for (const needed of ['Office', 'OfficeRuntime', 'fetch', 'setTimeout', 'clearTimeout']) {
      expect(names.has(needed)).toBe(true);
    }
  });

  it('is ASCII only, so no charset a host assumes can garble the marks it looks for', () => {
    expect(source).toMatch(/^[\t\n\r\x20-\x7e]*$/);
    // The marks are there, escaped.
    expect(source).toContain('\\u6a5f\\u5bc6'); // 機密
  });

  it('registers exactly the action ids the manifests name, and carries the build-time server URL', () => {
    for (const id of Object.values(ADDIN_ACTIONS)) {
      expect(source).toContain(`"${id}"`);
    }
    expect(source).toContain(JSON.stringify((process.env.PUBLIC_URL || 'https://localhost:3000').replace(/\/+$/, '')));
  });
});

/** Methods later editions added to built-in prototypes, checked where they are called. */
const LATER_METHODS = new Set([
  'flat',
  'flatMap',
  'trimStart',
  'trimEnd',
  'trimLeft',
  'trimRight',
  'padStart',
  'padEnd',
  'matchAll',
  'replaceAll',
  'at',
  'findLast',
  'findLastIndex',
  'toSorted',
  'toReversed',
  'toSpliced',
  'with',
  'isWellFormed',
  'toWellFormed',
  'finally',
]);
/** Statics later editions added, as `Constructor.name`. */
const LATER_STATICS = new Set([
  'Object.values',
  'Object.entries',
  'Object.fromEntries',
  'Object.getOwnPropertyDescriptors',
  'Object.hasOwn',
  'Object.groupBy',
  'Map.groupBy',
  'Promise.allSettled',
  'Promise.any',
  'Promise.withResolvers',
  'Array.fromAsync',
  'Symbol.asyncIterator',
  'Symbol.matchAll',
]);
/** Globals later editions (or hosts) added. */
const LATER_GLOBALS = new Set([
  'globalThis',
  'BigInt',
  'BigInt64Array',
  'BigUint64Array',
  'WeakRef',
  'FinalizationRegistry',
  'AggregateError',
  'SharedArrayBuffer',
  'Atomics',
  'Iterator',
  'structuredClone',
  'queueMicrotask',
]);

interface LaterUse {
  /** `*.flatMap`, `Object.entries`, `globalThis`. */
  readonly name: string;
  /** Tested for before use: `typeof x == "function" ? x : …`, `Object.entries ? … : …`, `if (x) …`. */
  readonly guarded: boolean;
}

/** Every use of a built-in newer than ES2016 in the program, and whether the code tests for it first. */
function laterBuiltIns(program: Node): LaterUse[] {
  const uses: LaterUse[] = [];
  type AnyNode = Record<string, unknown> & { type: string; start: number; end: number };
  const text = (n: unknown): string => source.slice((n as AnyNode).start, (n as AnyNode).end);
  const mentions = (test: unknown, word: string): boolean => new RegExp(`\\b${word}\\b`).test(text(test));
  const guardedBy = (word: string, node: AnyNode, ancestors: AnyNode[]): boolean =>
    ancestors.some((a, i) => {
      const child = ancestors[i + 1] ?? node;
      if (a.type === 'UnaryExpression' && a.operator === 'typeof') {
        return true;
      }
      if (a.type === 'ConditionalExpression' || a.type === 'IfStatement') {
        return (child === a.consequent || child === a.test) && mentions(a.test, word);
      }
      if (a.type === 'LogicalExpression' && a.operator === '&&') {
        return child === a.right && mentions(a.left, word);
      }
      return false;
    });
  const visit = (node: unknown, ancestors: AnyNode[], key: string | null): void => {
    if (!node || typeof node !== 'object') {
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((n) => visit(n, ancestors, key));
      return;
    }
    const n = node as AnyNode;
    const parent = ancestors[ancestors.length - 1];
    if (n.type === 'MemberExpression' && !n.computed) {
      const property = (n.property as { name: string }).name;
      const object = n.object as AnyNode & { name?: string };
      const isCall = parent?.type === 'CallExpression' && parent.callee === n;
      if (object.type === 'Identifier' && LATER_STATICS.has(`${object.name}.${property}`)) {
        uses.push({ name: `${object.name}.${property}`, guarded: guardedBy(property, n, ancestors) });
      } else if (isCall && LATER_METHODS.has(property)) {
        uses.push({ name: `*.${property}`, guarded: guardedBy(property, n, ancestors) });
      }
    }
    if (n.type === 'Identifier' && LATER_GLOBALS.has(n.name as string)) {
      const isProperty =
        (parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) ||
        (parent?.type === 'Property' && key === 'key' && !parent.computed);
      if (!isProperty) {
        uses.push({ name: n.name as string, guarded: guardedBy(n.name as string, n, ancestors) });
      }
    }
    for (const [k, v] of Object.entries(n)) {
      if (k !== 'type' && k !== 'start' && k !== 'end') {
        visit(v, [...ancestors, n], k);
      }
    }
  };
  visit(program, [], null);
  return uses;
}

describe('built-ins newer than ES2016 in dist/addin/launchevent.js', () => {
  it('are each brought by the script itself (runtime/es-builtins.ts) or tested for before use', () => {
    const uses = laterBuiltIns(parse(source, { ecmaVersion: 2016, sourceType: 'script' }));
    const polyfilled = (name: string): boolean =>
      ES2016_POLYFILLS.some((p) => (name.startsWith('*.') ? p.endsWith(`.prototype${name.slice(1)}`) : p === name));
    const unprovided = [...new Set(uses.filter((u) => !u.guarded && !polyfilled(u.name)).map((u) => u.name))];
    expect(unprovided).toEqual([]);
    // And the script does bring them: loaded into an ES2016 context, each is there afterwards.
    const context = vm.createContext({ Office: { actions: { associate: () => undefined } } });
    vm.runInContext(es2016Only(['Office']), context);
    expect(ES2016_POLYFILLS.map((p) => [p, vm.runInContext(`typeof ${p}`, context)])).toEqual(
      ES2016_POLYFILLS.map((p) => [p, 'undefined']),
    );
    vm.runInContext(source, context);
    expect(ES2016_POLYFILLS.map((p) => [p, vm.runInContext(`typeof ${p}`, context)])).toEqual(
      ES2016_POLYFILLS.map((p) => [p, 'function']),
    );
    // What the bundled libraries call today (postal-mime): provided, not merely tolerated.
    expect(uses.map((u) => u.name)).toEqual(expect.arrayContaining(['*.flatMap', '*.trimStart', '*.trimEnd']));
  });

  it('the polyfills behave as the built-ins they stand in for', () => {
    const arrays: unknown[][] = [[], [1, [2, [3]], 4], ['a', 'b'], [1, , 3]]; // eslint-disable-line no-sparse-arrays
    for (const a of arrays) {
      const fn = (x: unknown, i: number): unknown => (i % 2 ? [x, [x]] : x);
      expect(flatMap.call(a, fn)).toEqual(a.flatMap(fn));
    }
    const context = { k: 2 };
    const scaled = function (this: typeof context, x: unknown): unknown[] {
      return [(x as number) * this.k];
    };
    expect(flatMap.call([1, 2], scaled, context)).toEqual([2, 4]);
    for (const t of ['', '  a b  ', '\u3000\t\n中\u00a0 \ufeff', 'x', ' \u2028\u2029 ', `a${' '.repeat(50000)}b `]) {
      expect([trimStart.call(t), trimEnd.call(t)]).toEqual([t.trimStart(), t.trimEnd()]);
    }
    expect(() => trimStart.call(undefined)).toThrow(TypeError);
  });
});

describe('the event runtime page and office.js', () => {
  it('commands.html loads office.js as the build was told (the CDN by default), then launchevent.js', () => {
    const html = readFileSync(path.join(DIST, 'addin', 'commands.html'), 'utf8');
    const scripts = [...html.matchAll(/<script src="?([^"\s>]+)"?/g)].map((m) => m[1]);
    const selfHosted = (process.env.OFFICE_JS ?? '').trim().toLowerCase() === 'self';
    expect(scripts).toEqual([
      // Only when the build was given a copy of MicrosoftAjax.js (MICROSOFT_AJAX_JS).
      ...(process.env.MICROSOFT_AJAX_JS ? ['../vendor/office-js/MicrosoftAjax.js'] : []),
      selfHosted ? '../vendor/office-js/office.js' : 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js',
      'launchevent.js',
    ]);
  });

  it('launchevent.js loads no office.js of its own: classic Outlook runs it alone, with Office provided', () => {
    const script = readFileSync(path.join(DIST, 'addin', 'launchevent.js'), 'utf8');
    expect(script).not.toMatch(/appsforoffice|office\.js|vendor\/office-js/i);
  });
});
