import { DEFAULT_POLICY, detectOptionsFor, detectSegment, parsePolicy } from '../../../src/core';
import { AUDIT_RULE_PATTERN, AUDIT_RULES_MAX_CHARS, auditRules } from '../../../src/shared/api';

describe('auditRules: the rule ids an audit event may carry', () => {
  it('keeps every rule id the detector gives, built-in and custom', () => {
    const policy = parsePolicy({
      ...DEFAULT_POLICY,
      customRules: [{ id: 'project-x', level: '機密', keywords: ['北極星計畫'] }],
    });
    const text = '密等：機密\n【密】預算細節\n北極星計畫\n身分證 A123456789';
    const rules = detectSegment({ location: 'body', text }, detectOptionsFor(policy)).map((f) => f.rule);
    expect(rules).toContain('custom.project-x');
    expect(rules).toContain('portion');
    expect(rules.length).toBeGreaterThan(2);
    const kept = auditRules(rules);
    expect(kept).toEqual([...new Set(rules)]);
    for (const r of kept) {
      expect(r).toMatch(new RegExp(AUDIT_RULE_PATTERN));
    }
  });

  it('drops words that are not rule ids, repeats, and what would pass the total', () => {
    expect(auditRules(['level.standalone', 'level.standalone', 'thebudgetisfortymillion', 'a.b.c', 'Level.x'])).toEqual(
      ['level.standalone'],
    );
    const many = Array.from({ length: 60 }, (_, i) => `custom.r${String(i).padStart(2, '0')}-${'x'.repeat(60)}`);
    const kept = auditRules(many);
    expect(kept.join('').length).toBeLessThanOrEqual(AUDIT_RULES_MAX_CHARS);
    expect(kept.length).toBeGreaterThan(20);
    expect(kept).toEqual(many.slice(0, kept.length));
  });
});
