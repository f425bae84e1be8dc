/**
 * Offline validation of the unified manifest and its localisation files against the JSON schemas bundled in
 * `@microsoft/app-manifest` (never fetched: the schema is read from the package and passed in).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

import { AppManifestUtils } from '@microsoft/app-manifest';

// The library `require`s strip-bom, which is ESM-only since v5: Node loads it, Jest's CommonJS runtime cannot. This
// stands in with the one function the library calls (it strips the BOM when reading manifest files, which we never do).
jest.mock(
  require.resolve('strip-bom', { paths: [require.resolve('@microsoft/app-manifest')] }),
  () => (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text),
);

const PACKAGE_JSON = require.resolve('@microsoft/app-manifest/package.json');
const SCHEMA_ROOT = path.join(path.dirname(PACKAGE_JSON), 'build');
const SCHEMA_URL =
  /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}-[a-z]{2}\/)?(json-schemas\/teams\/v[\d.]+\/[\w.]+\.json)$/;

/** The bundled file a `$schema` URL names, as the library itself maps it. @throws when it is not bundled. */
export function bundledSchemaPath(schemaUrl: string): string {
  const m = SCHEMA_URL.exec(schemaUrl);
  if (!m) {
    throw new Error(`not a Microsoft json-schemas/teams URL: ${schemaUrl}`);
  }
  return path.join(SCHEMA_ROOT, m[1] as string);
}

function bundledSchema(schemaUrl: string): Record<string, unknown> {
  return JSON.parse(readFileSync(bundledSchemaPath(schemaUrl), 'utf8')) as Record<string, unknown>;
}

/** `[]` when the manifest is valid, else Ajv's messages (JSON pointer + reason). */
export async function validateUnifiedManifest(manifest: { $schema?: string }): Promise<string[]> {
  if (!manifest.$schema) {
    throw new Error('the manifest names no $schema');
  }
  const schema = bundledSchema(manifest.$schema);
  return AppManifestUtils.validateAgainstSchema(manifest as never, schema as never);
}

interface Ajv04 {
  compile(
    schema: object,
  ): ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
}

/**
 * The localisation schema's key patterns include `\b]`, which only a non-Unicode RegExp accepts, so
 * `AppManifestUtils.validateAgainstSchema` (Ajv's default Unicode mode) throws while compiling it. The same validator
 * the library uses (ajv-draft-04, resolved from the library so the versions match) with `unicodeRegExp: false` does.
 */
export function validateLocalisation(localisation: Readonly<Record<string, unknown>>): string[] {
  if (typeof localisation.$schema !== 'string') {
    throw new Error('the localisation file names no $schema');
  }
  const load = createRequire(PACKAGE_JSON);
  const Ajv = (load('ajv-draft-04') as { default: new (o: object) => Ajv04 }).default;
  const addFormats = (load('ajv-formats') as { default: (ajv: Ajv04, formats: string[]) => void }).default;
  const ajv = new Ajv({ allErrors: true, strictTypes: false, unicodeRegExp: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  const validate = ajv.compile(bundledSchema(localisation.$schema));
  return validate(localisation) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
