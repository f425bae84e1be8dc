/**
 * Policy: what to do with each level for internal and external recipients, custom rules, label mappings, what to do
 * with content that cannot be scanned, and size and time limits. A versioned JSON document validated by
 * {@link POLICY_SCHEMA}; the server stores it and the add-in and CLI apply it.
 */
import type { CompiledCustomRule } from './detect';
import { escapeRegExp } from './grammar';
import { type Level, LEVELS } from './levels';
import { normaliseTerm } from './normalise';
import { checkAgainstSchema } from './schema-check';
import { type RecipientScope, UNSCANNABLE_REASONS, type UnscannableReason } from './types';

export const POLICY_SCHEMA_VERSION = 1;

/**
 * The highest policy version: the largest integer a JSON number carries exactly to every client (the add-in compares
 * versions as JS numbers to refuse a rolled-back policy). The old bound, 2^31 - 1, was reachable with one save (a
 * date-and-time version, or a typo) and then no later version could exist.
 */
export const MAX_POLICY_VERSION = Number.MAX_SAFE_INTEGER;

export const ACTIONS = ['allow', 'warn', 'strip', 'block'] as const;
export type Action = (typeof ACTIONS)[number];

/** What happens to content that cannot be read. `allow` is deliberately not an option: the scanner fails closed. */
export const UNSCANNABLE_ACTIONS = ['warn', 'block'] as const;
export type UnscannableAction = (typeof UNSCANNABLE_ACTIONS)[number];

export type LevelActions = Readonly<Record<Level, Action>>;

export interface CustomRule {
  readonly id: string;
  readonly level: Level;
  readonly description?: string;
  readonly keywords?: readonly string[];
  /** A JavaScript regular expression source, matched against normalised text. */
  readonly pattern?: string;
  readonly caseInsensitive?: boolean;
}

export interface SensitivityLabelMapping {
  readonly id: string;
  readonly level: Level;
  readonly name?: string;
}

export interface PolicyLimits {
  /** Largest single file or attachment scanned; larger is unscannable (too-large). */
  readonly maxFileBytes: number;
  /** Largest total of one message with its attachments. */
  readonly maxMessageBytes: number;
  /** Time budget for one message; when it runs out the rest is unscannable (timeout). */
  readonly scanTimeoutMs: number;
  readonly maxAttachments: number;
  readonly maxArchiveDepth: number;
  readonly maxArchiveEntries: number;
}

export interface Policy {
  readonly schemaVersion: 1;
  /** Revision of this policy, raised by the admin on every change. */
  readonly version: number;
  readonly name: string;
  readonly internalDomains: readonly string[];
  readonly actions: { readonly internal: LevelActions; readonly external: LevelActions };
  readonly unscannable: UnscannableActions;
  /**
   * Per reason, what replaces `unscannable` for parts unread for that reason: e.g. `image-only` as `warn`, so a
   * signature logo asks instead of stopping every mail. Still only warn or block: nothing unread is ever allowed.
   */
  readonly unscannableByReason?: Readonly<Partial<Record<UnscannableReason, UnscannableActions>>>;
  /**
   * How a `warn` lets a mail go. `prompt` (the default): Outlook's Send Anyway (Mailbox 1.14), or a reason given in the
   * task pane. `reason`: only a reason given in the task pane, logged, so no warned mail leaves without one.
   */
  readonly warnOverride?: WarnOverride;
  readonly customRules: readonly CustomRule[];
  readonly sensitivityLabels: readonly SensitivityLabelMapping[];
  readonly detectors: { readonly personalData: boolean };
  readonly limits: PolicyLimits;
}

export const WARN_OVERRIDES = ['prompt', 'reason'] as const;
export type WarnOverride = (typeof WARN_OVERRIDES)[number];

/** Whether a warned mail may go by Outlook's Send Anyway, without a reason given in the task pane. */
export function warnMayPrompt(policy: Pick<Policy, 'warnOverride'>): boolean {
  return policy.warnOverride !== 'reason';
}

export interface UnscannableActions {
  readonly internal: UnscannableAction;
  readonly external: UnscannableAction;
}

/** What the policy does with a part unread for `reason`, sent to recipients of `scope`. */
export function unscannableAction(policy: Policy, reason: UnscannableReason, scope: RecipientScope): UnscannableAction {
  const byReason = policy.unscannableByReason ? policy.unscannableByReason[reason] : undefined;
  return byReason ? byReason[scope] : policy.unscannable[scope];
}

/** A record with one entry per level (Object.fromEntries is ES2019, absent from the classic Outlook runtime). */
function byLevel<T>(value: (level: Level) => T): Record<Level, T> {
  const out = {} as Record<Level, T>;
  for (const l of LEVELS) {
    out[l] = value(l);
  }
  return out;
}

const levelActionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...LEVELS],
  properties: byLevel(() => ({ enum: [...ACTIONS] })),
} as const;

/** JSON Schema (draft-07) of a policy document. */
const unscannableActionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['internal', 'external'],
  properties: {
    internal: { enum: [...UNSCANNABLE_ACTIONS] },
    external: { enum: [...UNSCANNABLE_ACTIONS] },
  },
} as const;

/** One optional entry per unscannable reason (a loop: Object.fromEntries is not in the classic Outlook runtime). */
function unscannableReasonProperties(): Record<UnscannableReason, typeof unscannableActionsSchema> {
  const out = {} as Record<UnscannableReason, typeof unscannableActionsSchema>;
  for (const r of UNSCANNABLE_REASONS) {
    out[r] = unscannableActionsSchema;
  }
  return out;
}

export const POLICY_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://secrecy-guard.local/schemas/policy-v1.json',
  title: 'Secrecy Guard policy',
  type: 'object',
  additionalProperties: false,
  required: [
    'schemaVersion',
    'version',
    'name',
    'internalDomains',
    'actions',
    'unscannable',
    'customRules',
    'sensitivityLabels',
    'detectors',
    'limits',
  ],
  properties: {
    $schema: { type: 'string' },
    schemaVersion: { const: POLICY_SCHEMA_VERSION },
    version: { type: 'integer', minimum: 1, maximum: MAX_POLICY_VERSION },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    internalDomains: {
      type: 'array',
      maxItems: 500,
      uniqueItems: true,
      items: {
        type: 'string',
        maxLength: 253,
        pattern: '^(\\*\\.)?([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$',
      },
    },
    actions: {
      type: 'object',
      additionalProperties: false,
      required: ['internal', 'external'],
      properties: { internal: levelActionsSchema, external: levelActionsSchema },
    },
    unscannable: unscannableActionsSchema,
    unscannableByReason: {
      type: 'object',
      additionalProperties: false,
      properties: unscannableReasonProperties(),
    },
    warnOverride: { enum: [...WARN_OVERRIDES] },
    customRules: {
      type: 'array',
      maxItems: 200,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'level'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' },
          level: { enum: [...LEVELS] },
          description: { type: 'string', maxLength: 500 },
          keywords: {
            type: 'array',
            minItems: 1,
            maxItems: 200,
            items: { type: 'string', minLength: 1, maxLength: 100 },
          },
          pattern: { type: 'string', minLength: 1, maxLength: 500 },
          caseInsensitive: { type: 'boolean' },
        },
        // Each branch names its property again: Ajv's strict mode (which the tests check this schema with) wants
        // `required` next to its `properties`.
        anyOf: [
          { required: ['keywords'], properties: { keywords: true } },
          { required: ['pattern'], properties: { pattern: true } },
        ],
      },
    },
    sensitivityLabels: {
      type: 'array',
      maxItems: 200,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'level'],
        properties: {
          id: {
            type: 'string',
            pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
          },
          level: { enum: [...LEVELS] },
          name: { type: 'string', maxLength: 200 },
        },
      },
    },
    detectors: {
      type: 'object',
      additionalProperties: false,
      required: ['personalData'],
      properties: { personalData: { type: 'boolean' } },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      required: [
        'maxFileBytes',
        'maxMessageBytes',
        'scanTimeoutMs',
        'maxAttachments',
        'maxArchiveDepth',
        'maxArchiveEntries',
      ],
      properties: {
        maxFileBytes: { type: 'integer', minimum: 1, maximum: 1073741824 },
        maxMessageBytes: { type: 'integer', minimum: 1, maximum: 1073741824 },
        scanTimeoutMs: { type: 'integer', minimum: 100, maximum: 600000 },
        maxAttachments: { type: 'integer', minimum: 0, maximum: 1000 },
        maxArchiveDepth: { type: 'integer', minimum: 0, maximum: 10 },
        maxArchiveEntries: { type: 'integer', minimum: 1, maximum: 100000 },
      },
    },
  },
} as const;

const allLevels = (action: Action): LevelActions => byLevel(() => action);

/**
 * The built-in policy follows the Agency Against Corruption's guidance: sensitive meeting information does not go by
 * email; where it must, the classified part is removed and sent on paper. So every level is `strip` for every
 * recipient (a strip becomes a block when something cannot be stripped), and unreadable content blocks.
 */
export const DEFAULT_POLICY: Policy = Object.freeze({
  schemaVersion: 1,
  version: 1,
  name: '預設政策（依廉政署機敏會議資訊保密之道） / Default policy (AAC guidance)',
  internalDomains: [],
  actions: { internal: allLevels('strip'), external: allLevels('strip') },
  unscannable: { internal: 'block', external: 'block' },
  customRules: [],
  sensitivityLabels: [],
  detectors: { personalData: false },
  limits: {
    maxFileBytes: 25 * 1024 * 1024,
    maxMessageBytes: 100 * 1024 * 1024,
    scanTimeoutMs: 4000,
    maxAttachments: 100,
    maxArchiveDepth: 3,
    maxArchiveEntries: 2000,
  },
}) as Policy;

/** Thrown for a policy document that does not match the schema; `problems` name each bad field. */
export class PolicyError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(message);
    this.name = 'PolicyError';
  }
}

function validate(data: unknown): readonly string[] {
  return checkAgainstSchema(POLICY_SCHEMA, data).map((e) =>
    `${e.instancePath || '/'} ${e.message} ${paramsText(e.params)}`.trim(),
  );
}

function paramsText(params: unknown): string {
  if (!params || typeof params !== 'object') {
    return '';
  }
  const p = params as Record<string, unknown>;
  if (p.additionalProperty) {
    return `(${String(p.additionalProperty)})`;
  }
  if (p.allowedValues) {
    return `(${(p.allowedValues as unknown[]).join(', ')})`;
  }
  return '';
}

/**
 * Validates a policy document, including what the schema cannot say: custom patterns must compile.
 * @throws {PolicyError} listing every problem.
 */
export function parsePolicy(data: unknown): Policy {
  const problems = [...validate(data)];
  if (problems.length === 0) {
    const policy = data as Policy;
    const ids = new Set<string>();
    policy.customRules.forEach((r, i) => {
      if (ids.has(r.id)) {
        problems.push(`/customRules/${i}/id duplicate id "${r.id}"`);
      }
      ids.add(r.id);
      if (r.pattern !== undefined) {
        try {
          new RegExp(r.pattern, 'u');
        } catch (e) {
          problems.push(`/customRules/${i}/pattern does not compile: ${(e as Error).message}`);
        }
      }
    });
  }
  if (problems.length > 0) {
    throw new PolicyError(`政策格式錯誤 / Invalid policy: ${problems.join('; ')}`, problems);
  }
  return data as Policy;
}

/** Compiles the policy's custom rules for the detector. */
export function compileCustomRules(policy: Policy): CompiledCustomRule[] {
  return policy.customRules.map((r) => {
    const keywords = (r.keywords ?? []).map(normaliseTerm).filter((kw) => kw.length > 0);
    let pattern: RegExp | null = null;
    if (r.pattern !== undefined) {
      pattern = new RegExp(r.pattern, r.caseInsensitive ? 'giu' : 'gu');
    } else if (r.caseInsensitive && keywords.length > 0) {
      pattern = new RegExp(keywords.map(escapeRegExp).join('|'), 'giu');
    }
    return { id: r.id, level: r.level, keywords: pattern ? [] : keywords, pattern };
  });
}
