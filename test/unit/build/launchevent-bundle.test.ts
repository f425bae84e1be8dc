/**
 * What ships for the on-send path: dist/addin/launchevent.js is one ES2016 script with no module system, no host
 * globals it cannot count on and only ASCII; commands.html loads office.js from our own origin and then the script;
 * the office.js files are Microsoft's own, copied unchanged.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { type Node, parse } from 'acorn';

import { ADDIN_ACTIONS } from '../../../src/shared/app-ids';
import { DIST, ensureWebBuild, ROOT } from '../../support/web-build';

let source = '';
beforeAll(async () => {
  await ensureWebBuild();
  source = readFileSync(path.join(DIST, 'addin', 'launchevent.js'), 'utf8');
}, 240000);

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

describe('the event runtime page and office.js from our own origin', () => {
  it('commands.html loads office.js from /vendor/office-js, then launchevent.js', () => {
    const html = readFileSync(path.join(DIST, 'addin', 'commands.html'), 'utf8');
    const scripts = [...html.matchAll(/<script src="?([^"\s>]+)"?/g)].map((m) => m[1]);
    expect(scripts).toEqual([
      // Only when the build was given a copy of MicrosoftAjax.js (MICROSOFT_AJAX_JS).
      ...(process.env.MICROSOFT_AJAX_JS ? ['../vendor/office-js/MicrosoftAjax.js'] : []),
      '../vendor/office-js/office.js',
      'launchevent.js',
    ]);
  });

  it('copies office.js, the Outlook host files and the zh-TW/en-US strings unchanged, and nothing else', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OFFICE_JS_FILES } = require(path.join(ROOT, 'webpack.config.js')) as { OFFICE_JS_FILES: string[] };
    const packaged = path.join(ROOT, 'node_modules', '@microsoft', 'office-js', 'dist');
    for (const file of OFFICE_JS_FILES) {
      expect(readFileSync(path.join(DIST, 'vendor', 'office-js', file))).toEqual(
        readFileSync(path.join(packaged, file)),
      );
    }
    expect(OFFICE_JS_FILES).toEqual(
      expect.arrayContaining(['office.js', 'outlook-web-16.01.js', 'outlook-mac-16.00.js', 'zh-tw/office_strings.js']),
    );
  });
});
