/**
 * Where the built pages load office.js from: Microsoft's CDN by default, a copy in dist/vendor/office-js only when the
 * build is told OFFICE_JS=self (for agencies whose network cannot reach the CDN). The webpack configuration is read
 * as the build reads it; the self-hosted copy is built for real into a temporary folder.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { buildConfigInto, ROOT } from '../../support/web-build';

const CDN = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

/* eslint-disable @typescript-eslint/no-require-imports */
const officeJs = require(path.join(ROOT, 'scripts/build/office-js.cjs')) as {
  OFFICE_JS_CDN_URL: string;
  OFFICE_JS_FILES: string[];
  officeJsOptions(env: Record<string, string | undefined>): { selfHosted: boolean; microsoftAjax: string };
};
type Config = { name: string; plugins?: { files?: Record<string, string> }[] };
const webpackConfig = require(path.join(ROOT, 'webpack.config.js')) as (
  env: object,
  argv: { mode: string },
) => Config[];
/* eslint-enable @typescript-eslint/no-require-imports */

/** The webpack configurations as a build with `env` would make them. */
function configsWith(env: Record<string, string>): Config[] {
  const saved = { OFFICE_JS: process.env.OFFICE_JS, MICROSOFT_AJAX_JS: process.env.MICROSOFT_AJAX_JS };
  delete process.env.OFFICE_JS;
  delete process.env.MICROSOFT_AJAX_JS;
  Object.assign(process.env, env);
  try {
    return webpackConfig({}, { mode: 'production' });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
  }
}

function page(configs: Config[], configName: string, file: string): string[] {
  const html = configs
    .find((c) => c.name === configName)
    ?.plugins?.map((p) => p.files?.[file])
    .find((f) => typeof f === 'string');
  if (!html) {
    throw new Error(`${configName} emits no ${file}`);
  }
  return [...html.matchAll(/<script[^>]* src="([^"]+)"/g)].map((m) => m[1] as string);
}

describe('office.js: the CDN by default, self-hosting by choice', () => {
  it('reads OFFICE_JS: cdn by default, self on request, anything else stops the build naming the variable', () => {
    expect(officeJs.officeJsOptions({})).toEqual({ selfHosted: false, microsoftAjax: '' });
    expect(officeJs.officeJsOptions({ OFFICE_JS: 'cdn' }).selfHosted).toBe(false);
    expect(officeJs.officeJsOptions({ OFFICE_JS: ' Self ' }).selfHosted).toBe(true);
    expect(() => officeJs.officeJsOptions({ OFFICE_JS: 'local' })).toThrow(/OFFICE_JS must be "cdn".*"self".*"local"/);
    expect(officeJs.OFFICE_JS_CDN_URL).toBe(CDN);
  });

  it('by default both pages load office.js from Microsoft’s CDN and nothing is copied', () => {
    const configs = configsWith({});
    expect(page(configs, 'addin-on-send', 'commands.html')).toEqual([CDN, 'launchevent.js']);
    expect(page(configs, 'addin-taskpane', 'taskpane.html')).toEqual([CDN, 'taskpane.js']);
    expect(configs.map((c) => c.name)).not.toContain('vendor-office-js');
  });

  it('OFFICE_JS=self: both pages load the copy from our origin, MicrosoftAjax.js first when given', () => {
    const configs = configsWith({ OFFICE_JS: 'self', MICROSOFT_AJAX_JS: '/srv/MicrosoftAjax.js' });
    expect(page(configs, 'addin-on-send', 'commands.html')).toEqual([
      '../vendor/office-js/MicrosoftAjax.js',
      '../vendor/office-js/office.js',
      'launchevent.js',
    ]);
    expect(page(configs, 'addin-taskpane', 'taskpane.html')).toEqual([
      '/vendor/office-js/MicrosoftAjax.js',
      '/vendor/office-js/office.js',
      'taskpane.js',
    ]);
    expect(configs.map((c) => c.name)).toContain('vendor-office-js');
  });

  it('OFFICE_JS=self copies office.js, the Outlook host files and the zh-TW/en-US strings unchanged', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'sg-office-js-'));
    try {
      await buildConfigInto('vendor-office-js', out, { ...process.env, OFFICE_JS: 'self', MICROSOFT_AJAX_JS: '' });
      const packaged = path.join(ROOT, 'node_modules', '@microsoft', 'office-js', 'dist');
      for (const file of officeJs.OFFICE_JS_FILES) {
        expect(readFileSync(path.join(out, file))).toEqual(readFileSync(path.join(packaged, file)));
      }
      expect(officeJs.OFFICE_JS_FILES).toEqual(
        expect.arrayContaining([
          'office.js',
          // Loaded outside a host: without it the pane outside Outlook never hears from Office.onReady.
          'o15apptofilemappingtable.js',
          'outlook-web-16.01.js',
          'outlook-mac-16.00.js',
          'zh-tw/office_strings.js',
        ]),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 240_000);

  it('a build from Microsoft’s CDN removes an earlier self-hosted copy (the server would serve it), and only that', async () => {
    const build = async (env: Record<string, string>): Promise<Record<string, boolean>> => {
      const out = mkdtempSync(path.join(tmpdir(), 'sg-office-js-clean-'));
      try {
        const files = [
          'vendor/office-js/office.js',
          'vendor/office-js/zh-tw/office_strings.js',
          'vendor/other/kept.js',
          'addin/launchevent.js',
        ];
        for (const file of files) {
          mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
          writeFileSync(path.join(out, file), 'an earlier build');
        }
        await buildConfigInto('manifest', out, { ...process.env, OFFICE_JS: '', MICROSOFT_AJAX_JS: '', ...env });
        return Object.fromEntries(files.map((f) => [f, existsSync(path.join(out, f))]));
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    };
    expect(await build({})).toEqual({
      'vendor/office-js/office.js': false,
      'vendor/office-js/zh-tw/office_strings.js': false,
      'vendor/other/kept.js': true,
      'addin/launchevent.js': true,
    });
    expect(await build({ OFFICE_JS: 'self' })).toEqual({
      'vendor/office-js/office.js': true,
      'vendor/office-js/zh-tw/office_strings.js': true,
      'vendor/other/kept.js': true,
      'addin/launchevent.js': true,
    });
  }, 240_000);
});
