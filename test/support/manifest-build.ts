/** The manifest build's outputs, parsed, for a given environment (the same function webpack's plugin calls). */
import { APP_PACKAGE, buildManifestFiles } from '../../manifest/build';
import type { ManifestOptions } from '../../manifest/options';
import type { UnifiedManifest } from '../../manifest/unified';

export interface BuiltManifests {
  readonly options: ManifestOptions;
  readonly files: Readonly<Record<string, Buffer>>;
  readonly warnings: readonly string[];
  readonly manifest: UnifiedManifest;
  readonly english: Record<string, string>;
  readonly xml: string;
  readonly appPackage: Buffer;
}

function file(files: Readonly<Record<string, Buffer>>, name: string): Buffer {
  const content = files[name];
  if (!content) {
    throw new Error(`the manifest build wrote no ${name}`);
  }
  return content;
}

const cache = new Map<string, BuiltManifests>();

/** Built once per environment and test file (drawing the icons is the slow part); treat the result as read-only. */
export function buildManifests(env: Record<string, string> = {}): BuiltManifests {
  const key = JSON.stringify(env);
  const cached = cache.get(key);
  if (cached) {
    return cached;
  }
  const { options, files, warnings } = buildManifestFiles(env);
  const built: BuiltManifests = {
    options,
    files,
    warnings,
    manifest: JSON.parse(file(files, 'manifest/manifest.json').toString('utf8')) as UnifiedManifest,
    english: JSON.parse(file(files, 'manifest/en-US.json').toString('utf8')) as Record<string, string>,
    xml: file(files, 'manifest/manifest.xml').toString('utf8'),
    appPackage: file(files, APP_PACKAGE),
  };
  cache.set(key, built);
  return built;
}

/** Every string in a JSON value, with its path (`extensions[0].runtimes[1].code.page`). */
export function* jsonStrings(value: unknown, at = ''): Generator<[path: string, value: string]> {
  if (typeof value === 'string') {
    yield [at, value];
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      yield* jsonStrings(value[i], `${at}[${i}]`);
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      yield* jsonStrings(v, at ? `${at}.${k}` : k);
    }
  }
}
