import Ajv, { type ErrorObject } from 'ajv';

import { DEFAULT_POLICY, parsePolicy, type Policy, POLICY_SCHEMA, PolicyError } from '../../../src/core/policy';
import { checkAgainstSchema } from '../../../src/core/schema-check';
import { UNSCANNABLE_REASONS } from '../../../src/core/types';

/** The options under which Ajv reports what checkAgainstSchema reports: every error, strict schema. */
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const ajvValidate = ajv.compile(POLICY_SCHEMA);

function ajvProblems(doc: unknown): unknown[] {
  if (ajvValidate(doc)) {
    return [];
  }
  return (ajvValidate.errors ?? []).map((e: ErrorObject) => ({
    instancePath: e.instancePath,
    keyword: e.keyword,
    message: e.message,
    params: e.params,
  }));
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A policy that uses every optional part of the schema, so mutations reach every keyword. */
const RICH: Policy = {
  ...DEFAULT_POLICY,
  internalDomains: ['example.gov.tw', '*.moj.gov.tw', 'aac.gov.tw'],
  unscannableByReason: {
    'image-only': { internal: 'warn', external: 'block' },
    timeout: { internal: 'block', external: 'block' },
  },
  warnOverride: 'reason',
  customRules: [
    { id: 'project-x', level: '機密', keywords: ['專案X', '代號甲'], description: '專案代號' },
    { id: 'case-no', level: '密', pattern: '案號\\d{6}', caseInsensitive: true },
  ],
  sensitivityLabels: [
    { id: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d', level: '極機密', name: '極機密 Highly Confidential' },
  ],
  detectors: { personalData: true },
};

/** Values of every JSON type and the edges the schema's bounds sit on. */
const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  9007199254740991,
  1073741825,
  '',
  'x',
  '𠀀'.repeat(201),
  'a'.repeat(254),
  '機密',
  'allow',
  'block',
  [],
  ['x', 'x'],
  [1, 2],
  {},
  { internal: 'warn' },
  { keywords: [] },
  { id: 'Bad ID', level: '秘密' },
  'EXAMPLE..gov.tw',
  '*.*.gov.tw',
  // Past every maxItems in the schema (500 domains, 200 rules, 200 keywords, 200 labels).
  Array.from({ length: 501 }, (_, i) => `d${i}.gov.tw`),
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into the document, so a mutation can land anywhere. */
function paths(doc: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(doc)) {
    doc.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  } else if (doc !== null && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      out.push(...paths(v, [...prefix, k]));
    }
  }
  return out;
}

function mutate(doc: Json, random: () => number): Json {
  const copy = JSON.parse(JSON.stringify(doc)) as Json;
  const all = paths(copy).filter((p) => p.length > 0);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const rounds = 1 + Math.floor(random() * 3);
  for (let r = 0; r < rounds; r++) {
    const path = pick(all);
    let parent = copy as Record<string | number, Json>;
    for (const step of path.slice(0, -1)) {
      const next = parent[step];
      if (next === null || typeof next !== 'object') {
        parent = {};
        break;
      }
      parent = next as Record<string | number, Json>;
    }
    const last = path[path.length - 1] as string | number;
    const kind = random();
    if (kind < 0.25) {
      if (Array.isArray(parent)) {
        parent.splice(Number(last), 1);
      } else {
        delete parent[last];
      }
    } else if (kind < 0.4 && !Array.isArray(parent)) {
      // An own property, as JSON.parse makes it: assigning `__proto__` would set the prototype instead.
      Object.defineProperty(parent, pick(['extra', 'Version', '__proto__', 'a/b~c', ...UNSCANNABLE_REASONS]), {
        value: JSON.parse(JSON.stringify(pick(ODD_VALUES))) as Json,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else if (kind < 0.5 && Array.isArray(parent[last])) {
      const list = parent[last] as Json[];
      list.push(list.length > 0 ? (JSON.parse(JSON.stringify(list[0])) as Json) : 'dup.gov.tw');
    } else {
      parent[last] = JSON.parse(JSON.stringify(pick(ODD_VALUES))) as Json;
    }
  }
  return copy;
}

describe('checkAgainstSchema (the policy schema without Ajv)', () => {
  it('reports exactly what Ajv reports, in the same order, on 4,000 mutated policies', () => {
    const random = rng(20261207);
    let invalid = 0;
    const keywords = new Set<string>();
    for (let n = 0; n < 4000; n++) {
      const base = (n % 2 === 0 ? RICH : DEFAULT_POLICY) as unknown as Json;
      const doc = mutate(base, random);
      const expected = ajvProblems(doc);
      const actual = checkAgainstSchema(POLICY_SCHEMA, doc);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        // One readable failure instead of 4,000 lines.
        expect({ doc, actual }).toEqual({ doc, actual: expected });
      }
      if (expected.length > 0) {
        invalid++;
      }
      for (const e of actual) {
        keywords.add(e.keyword);
      }
    }
    // The generator must actually reach the keywords, or agreement proves little.
    expect(invalid).toBeGreaterThan(3000);
    for (const k of [
      'type',
      'const',
      'enum',
      'anyOf',
      'required',
      'additionalProperties',
      'maximum',
      'minimum',
      'maxLength',
      'minLength',
      'pattern',
      'maxItems',
      'minItems',
      'uniqueItems',
    ]) {
      expect([k, keywords.has(k)]).toEqual([k, true]);
    }
  });

  it('agrees with Ajv on the hand-made edges: duplicates, astral lengths, non-integers, a missing document', () => {
    const cases: unknown[] = [
      null,
      [],
      'policy',
      { ...RICH, internalDomains: ['a.gov.tw', 'b.gov.tw', 'a.gov.tw', 'b.gov.tw', 'a.gov.tw'] },
      { ...RICH, internalDomains: ['a.gov.tw', 3, 'a.gov.tw'] },
      { ...RICH, name: '𠀀'.repeat(200) },
      { ...RICH, name: '𠀀'.repeat(201) },
      { ...RICH, version: 1.0000001 },
      { ...RICH, version: Number.MAX_SAFE_INTEGER + 2 },
      { ...RICH, customRules: [{ id: 'x', level: '密' }] },
      { ...RICH, customRules: [{ id: 'x', level: '密', keywords: [] }] },
      { ...RICH, customRules: [{ id: 'x', level: '密', pattern: '' }] },
      { ...RICH, customRules: ['rule'] },
      { ...RICH, actions: { internal: { 密: 'allow' }, external: [] } },
      { ...RICH, limits: { ...RICH.limits, scanTimeoutMs: 99, maxArchiveDepth: 11 } },
    ];
    for (const doc of cases) {
      expect(checkAgainstSchema(POLICY_SCHEMA, doc)).toEqual(ajvProblems(doc));
    }
  });

  it('accepts the default and the rich policy, and parsePolicy names each problem as before', () => {
    expect(checkAgainstSchema(POLICY_SCHEMA, JSON.parse(JSON.stringify(DEFAULT_POLICY)))).toEqual([]);
    expect(checkAgainstSchema(POLICY_SCHEMA, JSON.parse(JSON.stringify(RICH)))).toEqual([]);
    try {
      parsePolicy({ ...RICH, warnOverride: 'never', extra: 1 });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      expect((e as PolicyError).problems).toEqual([
        '/ must NOT have additional properties (extra)',
        '/warnOverride must be equal to one of the allowed values (prompt, reason)',
      ]);
    }
  });

  it('refuses a schema keyword it does not implement, as strict Ajv does, instead of ignoring it', () => {
    expect(() => checkAgainstSchema({ type: 'string', format: 'email' }, 'a')).toThrow(/format/);
    expect(() => checkAgainstSchema({ type: 'object', additionalProperties: { type: 'string' } }, {})).toThrow(
      /additionalProperties/,
    );
    expect(() => checkAgainstSchema({ type: 'array', uniqueItems: true }, [])).toThrow(/uniqueItems/);
    expect(() => checkAgainstSchema({ type: 'decimal' }, 1)).toThrow(/decimal/);
  });

  it('counts string length in code points, as JSON Schema does', () => {
    const schema = { type: 'string', maxLength: 2 };
    expect(checkAgainstSchema(schema, '𠀀𠀀')).toEqual([]);
    expect(checkAgainstSchema(schema, '𠀀𠀀𠀀').map((e) => e.keyword)).toEqual(['maxLength']);
    // A lone surrogate is one character, like any other code unit.
    expect(checkAgainstSchema(schema, '\ud840\ud840')).toEqual([]);
  });

  it('escapes property names in paths as JSON Pointer does', () => {
    const schema = { type: 'object', properties: { 'a/b~c': { type: 'string' } } };
    expect(checkAgainstSchema(schema, { 'a/b~c': 1 }).map((e) => e.instancePath)).toEqual(['/a~1b~0c']);
  });
});
