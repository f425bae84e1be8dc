/** The chair's configuration form as values, checks and the request body: no React, no Teams. */
import { isLevel, type Level } from '../../src/core/levels';
import { DEFAULT_REMINDER, type MeetingSettings, type MeetingView } from '../../src/shared/api';

export interface ConfigFormValues {
  readonly sensitive: boolean;
  readonly title: string;
  readonly level: Level;
  readonly reminder: string;
  readonly spokesperson: string;
}

/** The server's limits (`PUT /api/meetings/{id}`), in characters as JSON Schema counts them (code points). */
export const FIELD_LIMITS = { title: 500, reminder: 2000, spokesperson: 200 } as const;
export type LimitedField = keyof typeof FIELD_LIMITS;

export type FieldProblem = { readonly kind: 'required' } | { readonly kind: 'too-long'; readonly max: number };

export interface FormCheck {
  readonly valid: boolean;
  readonly problems: Partial<Record<LimitedField, FieldProblem>>;
}

/** A new sensitive meeting: the guidance's sentence as the reminder, the lowest level. */
export const DEFAULT_FORM: ConfigFormValues = {
  sensitive: true,
  title: '',
  level: '機敏',
  reminder: DEFAULT_REMINDER,
  spokesperson: '',
};

export function formFromMeeting(m: MeetingView): ConfigFormValues {
  return {
    sensitive: m.sensitive,
    title: m.title,
    level: isLevel(m.level) ? m.level : DEFAULT_FORM.level,
    reminder: m.reminder,
    spokesperson: m.spokesperson ?? '',
  };
}

const length = (s: string): number => Array.from(s).length;

export function checkForm(v: ConfigFormValues): FormCheck {
  const problems: Partial<Record<LimitedField, FieldProblem>> = {};
  const required: readonly LimitedField[] = ['title', 'reminder'];
  for (const field of Object.keys(FIELD_LIMITS) as LimitedField[]) {
    const value = v[field].trim();
    if (required.includes(field) && value === '') {
      problems[field] = { kind: 'required' };
    } else if (length(value) > FIELD_LIMITS[field]) {
      problems[field] = { kind: 'too-long', max: FIELD_LIMITS[field] };
    }
  }
  return { valid: Object.keys(problems).length === 0, problems };
}

/** The request body; an empty spokesperson is left out rather than stored as "". */
export function toSettings(v: ConfigFormValues): MeetingSettings {
  const spokesperson = v.spokesperson.trim();
  return {
    title: v.title.trim(),
    level: v.level,
    reminder: v.reminder.trim(),
    sensitive: v.sensitive,
    ...(spokesperson ? { spokesperson } : {}),
  };
}
