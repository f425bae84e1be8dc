/**
 * What ships, across the configurations: every URL in both built manifests names a file in dist/, and the handlers the
 * manifests name are exactly the ones the built on-send script registers. The pages and scripts are built by the
 * add-in and Teams configurations; when one is missing these tests fail naming it.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';

import type { UnifiedManifest } from '../../../manifest/unified';
import { ADDIN_ACTIONS, OFFICE_ADDINS_ALLOWED_PATH, PAGE_PATHS } from '../../../src/shared/app-ids';
import { jsonStrings } from '../../support/manifest-build';
import { validateUnifiedManifest } from '../../support/manifest-schema';
import { descendants, parseStrictXml } from '../../support/strict-xml';
import { DIST, ensureWebBuild, WEB_BUILD_TIMEOUT_MS } from '../../support/web-build';

let manifest: UnifiedManifest;
let xml: string;
/** PUBLIC_URL as the build saw it (the environment of this test run may differ from the one that built dist/). */
let base: string;

beforeAll(async () => {
  await ensureWebBuild();
  manifest = JSON.parse(readFileSync(path.join(DIST, 'manifest', 'manifest.json'), 'utf8')) as UnifiedManifest;
  xml = readFileSync(path.join(DIST, 'manifest', 'manifest.xml'), 'utf8');
  const page = manifest.extensions?.[0]?.runtimes?.[0]?.code.page ?? '';
  expect(page.endsWith(PAGE_PATHS.commands)).toBe(true);
  base = page.slice(0, -PAGE_PATHS.commands.length);
}, WEB_BUILD_TIMEOUT_MS);

/** The dist/ file a URL under PUBLIC_URL is served from (query and fragment dropped). */
const distFile = (url: string): string =>
  path.join(DIST, decodeURIComponent(new URL(url).pathname.slice(new URL(`${base}/`).pathname.length)));

const relative = (file: string): string => path.relative(path.dirname(DIST), file);

describe('the built manifests', () => {
  it('the shipped unified manifest validates against the bundled schema', async () => {
    expect(await validateUnifiedManifest(manifest)).toEqual([]);
  });

  it('every URL in manifest.json and manifest.xml resolves to a file in dist/', () => {
    const urls = new Set<string>();
    for (const [, value] of jsonStrings(manifest)) {
      if (value.startsWith(`${base}/`)) {
        urls.add(value);
      }
    }
    for (const node of descendants(parseStrictXml(xml))) {
      for (const value of [node.text, ...Object.values(node.attributes)]) {
        if (value.startsWith(`${base}/`)) {
          urls.add(value);
        }
      }
    }
    // The page runtime, the classic script, the task pane, the Teams config page, icons and the support page at least.
    expect(urls.size).toBeGreaterThanOrEqual(10);
    const missing = [...urls]
      .filter((url) => !existsSync(distFile(url)))
      .map((url) => `${relative(distFile(url))} (${url})`);
    expect(missing).toEqual([]);
  });
});

describe('the well-known file classic Outlook reads for SSO and CORS', () => {
  it('lists every event-runtime script URL of both manifests', () => {
    const file = path.join(DIST, OFFICE_ADDINS_ALLOWED_PATH);
    if (!existsSync(file)) {
      throw new Error(`${relative(file)} is missing: the manifest configuration builds it`);
    }
    const allowed = (JSON.parse(readFileSync(file, 'utf8')) as { allowed: string[] }).allowed;
    const fromUnified = (manifest.extensions ?? [])
      .flatMap((e) => e.runtimes ?? [])
      .map((r) => r.code.script)
      .filter((s): s is string => typeof s === 'string');
    const nodes = [...descendants(parseStrictXml(xml))];
    const scriptResources = new Set(
      nodes.filter((n) => n.name === 'Override' && n.attributes.type === 'javascript').map((n) => n.attributes.resid),
    );
    const fromXml = nodes
      .filter((n) => n.name === 'bt:Url' && scriptResources.has(n.attributes.id))
      .map((n) => n.attributes.DefaultValue as string);
    expect(fromUnified).toEqual([`${base}${PAGE_PATHS.launchEvent}`]);
    expect(fromXml).toEqual(fromUnified);
    expect([...fromUnified, ...fromXml].filter((url) => !allowed.includes(url))).toEqual([]);
    // Served from the origin's root, whatever path PUBLIC_URL has.
    expect(new URL(OFFICE_ADDINS_ALLOWED_PATH, base).pathname).toBe(OFFICE_ADDINS_ALLOWED_PATH);
  });
});

describe('the built on-send script', () => {
  const script = path.join(DIST, PAGE_PATHS.launchEvent);

  it('registers with Office.actions.associate exactly the handlers both manifests name', () => {
    if (!existsSync(script)) {
      throw new Error(`${relative(script)} is missing: the on-send configuration builds it`);
    }
    const registered = new Map<string, unknown>();
    // The JS-only runtime of classic Outlook: Office is there, the DOM and module loaders are not.
    const Office = { actions: { associate: (id: string, handler: unknown) => registered.set(id, handler) } };
    vm.runInContext(readFileSync(script, 'utf8'), vm.createContext({ Office, setTimeout, clearTimeout }), {
      filename: relative(script),
    });

    const unified = (manifest.extensions?.[0]?.runtimes ?? [])
      .flatMap((r) => r.actions ?? [])
      .filter((a) => a.type === 'executeFunction')
      .map((a) => a.id);
    const fromXml = [...descendants(parseStrictXml(xml))]
      .filter((n) => n.name === 'LaunchEvent')
      .map((n) => n.attributes.FunctionName as string);
    const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
    expect(sorted(registered.keys())).toEqual(sorted(Object.values(ADDIN_ACTIONS)));
    expect(sorted(unified)).toEqual(sorted(registered.keys()));
    expect(sorted(fromXml)).toEqual(sorted(registered.keys()));
    for (const [id, handler] of registered) {
      expect([id, typeof handler]).toEqual([id, 'function']);
    }
  });

  it('is what the event page loads, after office.js', () => {
    const page = path.join(DIST, PAGE_PATHS.commands);
    if (!existsSync(page)) {
      throw new Error(`${relative(page)} is missing: the on-send configuration builds it`);
    }
    const pageUrl = `https://host${PAGE_PATHS.commands}`;
    // Attribute values may be quoted or not (the built page is minified).
    const sources = [
      ...readFileSync(page, 'utf8').matchAll(/<script\b[^>]*\bsrc\s*=\s*(?:"([^"]+)"|'([^']+)'|([^\s"'>]+))/gi),
    ].map((m) => new URL((m[1] ?? m[2] ?? m[3]) as string, pageUrl));
    const officeJs = sources.findIndex((u) => /office\.js$/i.test(u.pathname));
    const handlers = sources.findIndex((u) => u.host === 'host' && u.pathname === PAGE_PATHS.launchEvent);
    expect(officeJs).toBeGreaterThanOrEqual(0);
    expect(handlers).toBeGreaterThan(officeJs);
  });
});
