import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';

import { parse } from 'acorn';

import type * as Core from '../../../src/core';
import type * as Extract from '../../../src/extract';
import { es2016Only } from '../../support/es2016';
import { DIST, ensureWebBuild, WEB_BUILD_TIMEOUT_MS } from '../../support/web-build';

/**
 * The core must bundle for the add-in runtimes: no Node built-ins, and syntax the classic Outlook JS-only runtime
 * (ES2016) parses. Built with the project's own webpack config (dist/core), then run in a bare context with no Node globals.
 */
describe('core bundle', () => {
  let source = '';
  let extractSource = '';

  beforeAll(async () => {
    // The shared build of dist/ (one per run, made by whichever suite needs it first): the same configuration that
    // ships, rather than a second compilation of it here.
    await ensureWebBuild();
    source = readFileSync(path.join(DIST, 'core', 'secrecy-guard-core.js'), 'utf8');
    extractSource = readFileSync(path.join(DIST, 'core', 'secrecy-guard-extract.js'), 'utf8');
  }, WEB_BUILD_TIMEOUT_MS);

  it('parses as an ES2016 script', () => {
    expect(() => parse(source, { ecmaVersion: 2016, sourceType: 'script' })).not.toThrow();
    expect(() => parse(extractSource, { ecmaVersion: 2016, sourceType: 'script' })).not.toThrow();
  });

  it('the extractors run without Node: an ODF header mark is found from bytes alone', async () => {
    // TextDecoder is the one host API extraction needs; browsers and the task pane have it.
    const context = vm.createContext({ TextDecoder, TextEncoder, setTimeout, queueMicrotask });
    vm.runInContext(es2016Only(['TextDecoder', 'TextEncoder', 'setTimeout', 'queueMicrotask']), context);
    vm.runInContext(`${extractSource}\nthis.SecrecyGuardExtract = SecrecyGuardExtract;`, context);
    const extract = (context as { SecrecyGuardExtract: typeof Extract }).SecrecyGuardExtract;
    const odt = new Uint8Array(readFileSync(path.resolve(__dirname, '../../fixtures/docs/header-mark.odt')));
    const limits = { maxFileBytes: 1e7, maxMessageBytes: 1e8, maxArchiveDepth: 3, maxArchiveEntries: 100 };
    const result = await extract.extractFile('a.odt', odt, { limits, pdf: 'defer' });
    expect(result.segments.map((s) => [s.location, s.text.trim()])).toContainEqual([
      'attachment:a.odt/styles.xml#header',
      '機密',
    ]);
  });

  it('runs without Node globals and decides', () => {
    // A bare context, then the built-ins newer than ES2016 removed, as in classic Outlook before 2403 (Chakra).
    const context = vm.createContext({});
    vm.runInContext(es2016Only([]), context);
    vm.runInContext(`${source}\nthis.SecrecyGuardCore = SecrecyGuardCore;`, context);
    const core = (context as { SecrecyGuardCore: typeof Core }).SecrecyGuardCore;
    const v = core.decide({ subject: '會議', bodyHtml: '<p>第二段【密】</p>' }, core.DEFAULT_POLICY);
    expect(v.verdict).toBe('strip');
    expect(core.stripHtml('<p>第二段【密】</p>').removed).toEqual([
      { level: '密', length: 6, sha256: createHash('sha256').update('第二段【密】').digest('hex'), rules: ['portion'] },
    ]);
    // The commitment the pane sends instead of that hash works in the ES2016 runtime too.
    const salt = '0f'.repeat(16);
    expect(core.commitToText('第二段【密】', salt)).toBe(
      createHmac('sha256', Buffer.from(salt, 'hex'))
        .update(createHash('sha256').update('第二段【密】').digest())
        .digest('hex'),
    );
    expect(
      core
        .decide(
          { bodyText: '身分證：A123456789', subject: '密等：機密' },
          { ...core.DEFAULT_POLICY, detectors: { personalData: true } },
        )
        .findings.map((f) => f.rule),
    ).toEqual(['field.classification', 'pii.national-id']);
  });
});
