import Ajv from 'ajv';

import {
  compileCustomRules,
  DEFAULT_POLICY,
  parsePolicy,
  type Policy,
  POLICY_SCHEMA,
  PolicyError,
  unscannableAction,
  warnMayPrompt,
} from '../../../src/core/policy';

const clone = (p: Policy): Record<string, unknown> => JSON.parse(JSON.stringify(p)) as Record<string, unknown>;

describe('policy', () => {
  it('the built-in default validates against the schema and strips every level', () => {
    expect(parsePolicy(clone(DEFAULT_POLICY))).toEqual(DEFAULT_POLICY);
    expect(new Ajv({ strict: true }).validate(POLICY_SCHEMA, clone(DEFAULT_POLICY))).toBe(true);
    for (const scope of ['internal', 'external'] as const) {
      expect(Object.values(DEFAULT_POLICY.actions[scope]).every((a) => a === 'strip')).toBe(true);
      expect(DEFAULT_POLICY.unscannable[scope]).toBe('block');
    }
  });

  it('cannot allow unscannable content', () => {
    const p = clone(DEFAULT_POLICY);
    p.unscannable = { internal: 'allow', external: 'block' };
    expect(() => parsePolicy(p)).toThrow(PolicyError);
    try {
      parsePolicy(p);
    } catch (e) {
      expect((e as PolicyError).problems.join()).toContain('/unscannable/internal');
    }
  });

  it('takes per-reason actions for unread parts, but never allow and only known reasons', () => {
    const p = clone(DEFAULT_POLICY) as unknown as Record<string, unknown>;
    p.unscannableByReason = { 'image-only': { internal: 'warn', external: 'block' } };
    expect(parsePolicy(p).unscannableByReason).toEqual({ 'image-only': { internal: 'warn', external: 'block' } });
    for (const [bad, where] of [
      [{ 'image-only': { internal: 'allow', external: 'block' } }, '/unscannableByReason/image-only/internal'],
      [{ 'image-only': { internal: 'warn' } }, '/unscannableByReason/image-only'],
      [{ 'looks-fine': { internal: 'warn', external: 'warn' } }, '/unscannableByReason'],
    ] as const) {
      p.unscannableByReason = bad;
      expect(() => parsePolicy(p)).toThrow(PolicyError);
      try {
        parsePolicy(p);
      } catch (e) {
        expect((e as PolicyError).problems.join()).toContain(where);
      }
    }
  });

  it('knows unreadable-charset as a reason: warn or block, never allow, and the default blocks it', () => {
    const p = clone(DEFAULT_POLICY) as unknown as Record<string, unknown>;
    p.unscannableByReason = { 'unreadable-charset': { internal: 'warn', external: 'block' } };
    expect(parsePolicy(p).unscannableByReason).toEqual({
      'unreadable-charset': { internal: 'warn', external: 'block' },
    });
    p.unscannableByReason = { 'unreadable-charset': { internal: 'allow', external: 'warn' } };
    expect(() => parsePolicy(p)).toThrow(PolicyError);
    for (const scope of ['internal', 'external'] as const) {
      expect(unscannableAction(DEFAULT_POLICY, 'unreadable-charset', scope)).toBe('block');
    }
  });

  it('takes how a warning may be overridden: Send Anyway by default, or only with a reason', () => {
    const p = clone(DEFAULT_POLICY);
    expect(warnMayPrompt(parsePolicy(p))).toBe(true);
    p.warnOverride = 'reason';
    expect(warnMayPrompt(parsePolicy(p))).toBe(false);
    p.warnOverride = 'prompt';
    expect(warnMayPrompt(parsePolicy(p))).toBe(true);
    p.warnOverride = 'never-mind';
    expect(() => parsePolicy(p)).toThrow(/warnOverride/);
  });

  it.each([
    [
      'an unknown level',
      (p: Record<string, unknown>) => ((p.actions as { internal: Record<string, string> }).internal['秘密'] = 'allow'),
    ],
    [
      'a missing level',
      (p: Record<string, unknown>) => delete (p.actions as { internal: Record<string, string> }).internal['密'],
    ],
    [
      'a bad action',
      (p: Record<string, unknown>) => ((p.actions as { external: Record<string, string> }).external['密'] = 'ignore'),
    ],
    ['a bad domain', (p: Record<string, unknown>) => (p.internalDomains = ['not a domain'])],
    ['an extra field', (p: Record<string, unknown>) => (p.extra = 1)],
    ['a bad label GUID', (p: Record<string, unknown>) => (p.sensitivityLabels = [{ id: 'x', level: '密' }])],
    [
      'a rule without keywords or pattern',
      (p: Record<string, unknown>) => (p.customRules = [{ id: 'a', level: '密' }]),
    ],
    [
      'a pattern that does not compile',
      (p: Record<string, unknown>) => (p.customRules = [{ id: 'a', level: '密', pattern: '(' }]),
    ],
    [
      'duplicate rule ids',
      (p: Record<string, unknown>) =>
        (p.customRules = [
          { id: 'a', level: '密', keywords: ['x'] },
          { id: 'a', level: '密', keywords: ['y'] },
        ]),
    ],
    ['a zero size limit', (p: Record<string, unknown>) => ((p.limits as Record<string, number>).maxFileBytes = 0)],
    ['the wrong schema version', (p: Record<string, unknown>) => (p.schemaVersion = 2)],
  ])('rejects %s with a message naming the field', (_name, mutate) => {
    const p = clone(DEFAULT_POLICY);
    mutate(p);
    expect(() => parsePolicy(p)).toThrow(/Invalid policy: \//);
  });

  it('rejects non-objects', () => {
    for (const v of [null, 1, 'x', [], undefined]) {
      expect(() => parsePolicy(v)).toThrow(PolicyError);
    }
  });

  it('compiles custom keywords through the normaliser and patterns with the right flags', () => {
    const p = {
      ...DEFAULT_POLICY,
      customRules: [
        { id: 'k', level: '機密' as const, keywords: ['專　案Ｘ'] },
        { id: 'r', level: '密' as const, pattern: 'ab+c', caseInsensitive: true },
      ],
    };
    const [k, r] = compileCustomRules(p);
    expect(k?.keywords).toEqual(['專案X']);
    expect(r?.pattern?.flags).toContain('i');
  });
});
