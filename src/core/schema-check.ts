/**
 * A JSON Schema (draft-07) checker for the keywords the policy schema uses, and no others.
 *
 * Why not Ajv: Ajv compiles a schema into code with `new Function`, which the add-in pages' CSP forbids, so the
 * on-send script carried the policy schema precompiled by Ajv instead: 66 KB of generated code (a 5.7 KB schema)
 * parsed on every cold start of the send check. Reading the schema itself costs a few kilobytes of code, and one
 * checker then serves Node, the pane and the on-send runtime alike.
 *
 * It reports what Ajv reports with `allErrors: true`: the same keywords in the same order, the same messages and
 * params (the policy editor shows them, and the tests compare the two on generated documents). A keyword it does not
 * know throws, as Ajv's strict mode does, so that the schema cannot grow a rule that is silently not checked.
 *
 * ES2016 only: the classic Outlook runtime runs this.
 */

export interface SchemaProblem {
  /** JSON Pointer to the offending value ('' for the document itself). */
  readonly instancePath: string;
  readonly keyword: string;
  readonly message: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export type Schema = boolean | { readonly [keyword: string]: unknown };

type Json = unknown;
type SchemaObject = { readonly [keyword: string]: unknown };

/** Keywords that describe rather than constrain. */
const ANNOTATIONS = ['$schema', '$id', 'title', 'description', '$comment'];

/** Every keyword checked, in the order Ajv checks them: untyped ones first, then each type's group. */
const KNOWN = [
  'type',
  'const',
  'enum',
  'anyOf',
  'maximum',
  'minimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'items',
  'uniqueItems',
  'required',
  'additionalProperties',
  'properties',
];

const isObject = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumber = (v: Json): v is number => typeof v === 'number' && isFinite(v);
const isInteger = (v: Json): v is number => isNumber(v) && v % 1 === 0;

function hasType(type: string, v: Json): boolean {
  switch (type) {
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'number':
      return isNumber(v);
    case 'integer':
      return isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    default:
      throw new Error(`Unsupported schema type "${type}"`);
  }
}

/** Structural equality of JSON values (const, enum and uniqueItems compare values, not references). */
function equal(a: Json, b: Json): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equal(a[k], b[k]))
    );
  }
  return false;
}

/** Length in code points, as JSON Schema counts string length (a character outside the BMP is one). */
function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
      }
    }
    n++;
  }
  return n;
}

const pointerToken = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

const patterns = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    patterns.set(pattern, re);
  }
  return re;
}

/** Schemas already found to use only known keywords: a policy is checked on every send, its schema once. */
const knownSchemas = new WeakSet<SchemaObject>();

function assertKnownKeywords(schema: SchemaObject): void {
  if (knownSchemas.has(schema)) {
    return;
  }
  for (const k of Object.keys(schema)) {
    if (KNOWN.indexOf(k) < 0 && ANNOTATIONS.indexOf(k) < 0) {
      throw new Error(`Unsupported schema keyword "${k}"`);
    }
  }
  knownSchemas.add(schema);
}

/** Type groups in Ajv's order, with the keywords each one owns. */
const GROUPS: readonly (readonly [string, readonly string[]])[] = [
  ['number', ['maximum', 'minimum']],
  ['string', ['maxLength', 'minLength', 'pattern']],
  ['array', ['maxItems', 'minItems', 'items', 'uniqueItems']],
  ['object', ['required', 'additionalProperties', 'properties']],
];

/**
 * Checks `data` against `schema` and returns every problem (empty when valid).
 * @throws {Error} when the schema uses a keyword or type this checker does not implement.
 */
export function checkAgainstSchema(schema: Schema, data: Json): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  check(schema, data, '', problems);
  return problems;
}

function check(schema: Schema, data: Json, path: string, out: SchemaProblem[]): void {
  const report = (keyword: string, message: string, params: Record<string, unknown> = {}, at = path): void => {
    out.push({ instancePath: at, keyword, message, params });
  };
  if (schema === true) {
    return;
  }
  if (schema === false) {
    report('false schema', 'boolean schema is false');
    return;
  }
  assertKnownKeywords(schema);
  const type = schema.type as string | undefined;
  const ownsGroup = (group: readonly string[]): boolean => group.some((k) => schema[k] !== undefined);
  // Ajv checks the type up front unless the type has keywords of its own here; then the type's group reports it.
  const typeGroup = GROUPS.find(([t]) => t === type);
  const typeReportedByGroup = typeGroup !== undefined && ownsGroup(typeGroup[1]);
  if (type !== undefined && !typeReportedByGroup && !hasType(type, data)) {
    report('type', `must be ${type}`, { type });
  }

  if (schema.const !== undefined && !equal(schema.const, data)) {
    report('const', 'must be equal to constant', { allowedValue: schema.const });
  }
  if (schema.enum !== undefined) {
    const allowed = schema.enum as readonly Json[];
    if (!allowed.some((v) => equal(v, data))) {
      report('enum', 'must be equal to one of the allowed values', { allowedValues: allowed });
    }
  }
  if (schema.anyOf !== undefined) {
    const before = out.length;
    let passed = false;
    for (const branch of schema.anyOf as readonly Schema[]) {
      const errorsBefore = out.length;
      check(branch, data, path, out);
      if (out.length === errorsBefore) {
        passed = true;
      }
    }
    if (passed) {
      out.length = before;
    } else {
      report('anyOf', 'must match a schema in anyOf');
    }
  }

  for (const [groupType, keywords] of GROUPS) {
    if (!ownsGroup(keywords)) {
      continue;
    }
    if (!hasType(groupType, data)) {
      if (groupType === type) {
        report('type', `must be ${type}`, { type });
      }
      continue;
    }
    if (groupType === 'number') {
      checkNumber(schema, data as number, report);
    } else if (groupType === 'string') {
      checkString(schema, data as string, report);
    } else if (groupType === 'array') {
      checkArray(schema, data as Json[], path, out, report);
    } else {
      checkObject(schema, data as Record<string, Json>, path, out, report);
    }
  }
}

type Report = (keyword: string, message: string, params?: Record<string, unknown>, at?: string) => void;

function checkNumber(schema: SchemaObject, n: number, report: Report): void {
  const max = schema.maximum as number | undefined;
  const min = schema.minimum as number | undefined;
  if (max !== undefined && !(n <= max)) {
    report('maximum', `must be <= ${max}`, { comparison: '<=', limit: max });
  }
  if (min !== undefined && !(n >= min)) {
    report('minimum', `must be >= ${min}`, { comparison: '>=', limit: min });
  }
}

function checkString(schema: SchemaObject, s: string, report: Report): void {
  const max = schema.maxLength as number | undefined;
  const min = schema.minLength as number | undefined;
  if (max !== undefined && codePointLength(s) > max) {
    report('maxLength', `must NOT have more than ${max} characters`, { limit: max });
  }
  if (min !== undefined && codePointLength(s) < min) {
    report('minLength', `must NOT have fewer than ${min} characters`, { limit: min });
  }
  const pattern = schema.pattern as string | undefined;
  if (pattern !== undefined && !compiled(pattern).test(s)) {
    report('pattern', `must match pattern "${pattern}"`, { pattern });
  }
}

function checkArray(schema: SchemaObject, a: Json[], path: string, out: SchemaProblem[], report: Report): void {
  const max = schema.maxItems as number | undefined;
  const min = schema.minItems as number | undefined;
  if (max !== undefined && a.length > max) {
    report('maxItems', `must NOT have more than ${max} items`, { limit: max });
  }
  if (min !== undefined && a.length < min) {
    report('minItems', `must NOT have fewer than ${min} items`, { limit: min });
  }
  if (schema.items !== undefined) {
    if (Array.isArray(schema.items)) {
      throw new Error('Unsupported schema keyword "items" as a tuple');
    }
    const items = schema.items as Schema;
    for (let i = 0; i < a.length; i++) {
      check(items, a[i], `${path}/${i}`, out);
    }
  }
  if (schema.uniqueItems === true) {
    const duplicate = firstDuplicate(schema.items as Schema | undefined, a);
    if (duplicate) {
      const [i, j] = duplicate;
      report('uniqueItems', `must NOT have duplicate items (items ## ${j} and ${i} are identical)`, { i, j });
    }
  }
}

/**
 * Ajv's search order, so the pair it names is the same: from the end, the first item that equals a later one, with
 * the nearest such later one. Items of the wrong type for `items` are skipped, as Ajv skips them (their type is
 * reported anyway). Only scalar item types are implemented: Ajv names the pair the other way round for the rest.
 */
function firstDuplicate(items: Schema | undefined, a: readonly Json[]): [number, number] | null {
  const itemType = typeof items === 'object' ? (items.type as string | undefined) : undefined;
  if (itemType === undefined || itemType === 'object' || itemType === 'array') {
    throw new Error('Unsupported schema keyword "uniqueItems" without scalar "items.type"');
  }
  for (let i = a.length - 1; i >= 0; i--) {
    if (!hasType(itemType, a[i])) {
      continue;
    }
    for (let j = i + 1; j < a.length; j++) {
      if (hasType(itemType, a[j]) && equal(a[i], a[j])) {
        return [i, j];
      }
    }
  }
  return null;
}

function checkObject(
  schema: SchemaObject,
  o: Record<string, Json>,
  path: string,
  out: SchemaProblem[],
  report: Report,
): void {
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;
  for (const k of (schema.required as readonly string[] | undefined) ?? []) {
    if (!has(k)) {
      report('required', `must have required property '${k}'`, { missingProperty: k });
    }
  }
  const properties = (schema.properties as Readonly<Record<string, Schema>> | undefined) ?? {};
  if (schema.additionalProperties !== undefined) {
    if (schema.additionalProperties !== false) {
      throw new Error('Unsupported schema keyword "additionalProperties" other than false');
    }
    for (const k of Object.keys(o)) {
      if (!Object.prototype.hasOwnProperty.call(properties, k)) {
        report('additionalProperties', 'must NOT have additional properties', { additionalProperty: k });
      }
    }
  }
  for (const k of Object.keys(properties)) {
    const propertySchema = properties[k];
    if (propertySchema !== undefined && has(k)) {
      check(propertySchema, o[k], `${path}/${pointerToken(k)}`, out);
    }
  }
}
