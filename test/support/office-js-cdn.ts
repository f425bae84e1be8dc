/**
 * Microsoft's office.js CDN for browser tests on a machine without network: the built pages load
 * https://appsforoffice.microsoft.com/lib/1/hosted/office.js (scripts/build/office-js.cjs), and office.js loads its
 * host files and strings from beside itself; this answers those requests from the installed @microsoft/office-js
 * package, as the CDN would, and 404s for what the package lacks.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { BrowserContext, Page } from 'playwright-core';

import { ROOT } from './web-build';

export const OFFICE_JS_CDN_BASE = 'https://appsforoffice.microsoft.com/lib/1/hosted/';
export const OFFICE_JS_CDN_URL = `${OFFICE_JS_CDN_BASE}office.js`;
const PACKAGE_DIST = path.join(ROOT, 'node_modules', '@microsoft', 'office-js', 'dist');

/** Serves the CDN's office.js files from the package for every page of `target`. */
export async function routeOfficeJsCdn(target: BrowserContext | Page): Promise<void> {
  await target.route(`${OFFICE_JS_CDN_BASE}**`, (route) => {
    const relative = decodeURIComponent(new URL(route.request().url()).pathname).slice(
      new URL(OFFICE_JS_CDN_BASE).pathname.length,
    );
    const file = path.join(PACKAGE_DIST, relative);
    if (!file.startsWith(PACKAGE_DIST + path.sep) || !existsSync(file)) {
      return route.fulfill({ status: 404, body: '' });
    }
    return route.fulfill({
      status: 200,
      contentType: 'application/javascript; charset=utf-8',
      body: readFileSync(file),
    });
  });
}
