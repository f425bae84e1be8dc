/**
 * The chair's configuration page (Teams' tab configuration, frame `settings`): mark the meeting sensitive, choose the
 * level, edit the reminder, name the spokesperson, give the date, hours and place the sign-in sheet prints. Teams' own
 * Save button is enabled only while the form is valid; pressing it stores the settings on the server, then completes
 * the tab. A failure keeps every value typed.
 */
import {
  Button,
  Caption1,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Spinner,
  Switch,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import * as React from 'react';

import { LEVEL_ENGLISH, LEVELS } from '../../src/core/levels';
import { DEFAULT_REMINDER, isApiError, type MeetingView } from '../../src/shared/api';
import { PAGE_PATHS } from '../../src/shared/app-ids';
import {
  checkForm,
  type ConfigFormValues,
  DEFAULT_FORM,
  type FieldProblem,
  formFromMeeting,
  type LimitedField,
  prefillForm,
  type ScheduleField,
  toSettings,
} from '../shared/config-form';
import { describeError } from '../shared/errors';
import { useLayoutStyles } from '../shared/layout.styles';
import type { TeamsMessages } from '../shared/messages';
import { RequireMeeting } from '../shared/PageStates';
import type { PageServices } from '../shared/TeamsPage';
import { onSave, type SaveOutcome, setSaveEnabled } from '../teams';

/** The tab's entity id: one reminder tab per meeting. */
export const TAB_ENTITY_ID = 'secrecy-guard-reminder';

type Load =
  | { readonly phase: 'loading'; readonly error?: never }
  | { readonly phase: 'new' | 'existing' | 'other-chair'; readonly error?: never }
  | { readonly phase: 'failed'; readonly error: unknown };

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  intro: { margin: 0 },
  reminderRow: { display: 'flex', justifyContent: 'flex-end' },
  schedule: {
    border: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
  },
  legend: { padding: 0, marginBottom: tokens.spacingVerticalS, fontWeight: tokens.fontWeightSemibold },
  // Side by side where there is room, stacked in a narrow tab.
  scheduleRow: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
});

function problemText(problem: FieldProblem | undefined, t: TeamsMessages): string | undefined {
  switch (problem?.kind) {
    case undefined:
      return undefined;
    case 'required':
      return t.required;
    case 'too-long':
      return t.tooLong(problem.max);
    case 'schedule-incomplete':
      return t.scheduleIncomplete;
    case 'ends-before-start':
      return t.endsBeforeStart;
  }
}

export function ConfigPage({ services }: { services: PageServices }): React.JSX.Element {
  const layout = useLayoutStyles();
  const hasMeeting = services.context.meetingId !== null;
  React.useEffect(() => {
    if (!hasMeeting) {
      setSaveEnabled(false);
    }
  }, [hasMeeting]);
  return (
    <RequireMeeting services={services} className={layout.page}>
      {(meetingId) => <ConfigForm services={services} meetingId={meetingId} />}
    </RequireMeeting>
  );
}

function ConfigForm({ services, meetingId }: { services: PageServices; meetingId: string }): React.JSX.Element {
  const layout = useLayoutStyles();
  const s = useStyles();
  const { api, locale, origin, t } = services;
  const [values, setValues] = React.useState<ConfigFormValues>(DEFAULT_FORM);
  const [touched, setTouched] = React.useState<Partial<Record<LimitedField | ScheduleField, boolean>>>({});
  const [load, setLoad] = React.useState<Load>({ phase: 'loading' });
  const [loadGeneration, setLoadGeneration] = React.useState(0);
  const [outcome, setOutcome] = React.useState<SaveOutcome | null>(null);
  const dirty = React.useRef(false);
  const valuesRef = React.useRef(values);
  valuesRef.current = values;
  const errorRef = React.useRef<HTMLDivElement>(null);

  const check = checkForm(values);
  const editable = load.phase === 'new' || load.phase === 'existing';
  // What Teams knows of the meeting (through the server and Graph), said quietly beside the form.
  const [prefillNote, setPrefillNote] = React.useState<string | null>(null);

  // Once the stored settings are in: Teams' name and times go into the fields still empty, never over what the chair
  // typed or stored. Any failure fills nothing; a new meeting says so in a line, not an error.
  React.useEffect(() => {
    if (load.phase !== 'new' && load.phase !== 'existing') {
      return;
    }
    let cancelled = false;
    const isNew = load.phase === 'new';
    api.meetingPrefill(meetingId).then(
      (prefill) => {
        if (cancelled) {
          return;
        }
        // prefillForm hands back the very same values when it fills nothing.
        const filled = prefillForm(valuesRef.current, prefill) !== valuesRef.current;
        setValues((v) => prefillForm(v, prefill));
        setPrefillNote(filled ? t.prefilled : isNew && !prefill.prefilled ? t.prefillUnavailable : null);
      },
      () => {
        if (!cancelled && isNew) {
          setPrefillNote(t.prefillUnavailable);
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, meetingId, load.phase, t]);

  // Existing settings are loaded once; values typed meanwhile are never overwritten.
  React.useEffect(() => {
    let cancelled = false;
    api.getMeeting(meetingId).then(
      (meeting: MeetingView) => {
        if (cancelled) {
          return;
        }
        if (!dirty.current) {
          setValues(formFromMeeting(meeting));
        }
        setLoad({ phase: meeting.isChair ? 'existing' : 'other-chair' });
      },
      (error: unknown) => {
        if (!cancelled) {
          setLoad(isApiError(error) && error.status === 404 ? { phase: 'new' } : { phase: 'failed', error });
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, meetingId, loadGeneration]);

  React.useEffect(() => {
    setSaveEnabled(editable && check.valid);
  }, [editable, check.valid]);

  React.useEffect(() => {
    onSave(
      async () => {
        setOutcome(null);
        await api.putMeeting(meetingId, toSettings(valuesRef.current));
        const contentUrl = `${origin}${PAGE_PATHS.teamsSidePanel}`;
        return { contentUrl, websiteUrl: contentUrl, entityId: TAB_ENTITY_ID, suggestedDisplayName: t.tabName };
      },
      (result) => {
        setOutcome(result);
        if (!result.ok && isApiError(result.error) && result.error.status === 403) {
          setLoad({ phase: 'other-chair' });
        }
      },
    );
  }, [api, meetingId, origin, t]);

  React.useEffect(() => {
    if (outcome && !outcome.ok) {
      errorRef.current?.focus();
    }
  }, [outcome]);

  const update = <K extends keyof ConfigFormValues>(key: K, value: ConfigFormValues[K]): void => {
    dirty.current = true;
    setValues((v) => ({ ...v, [key]: value }));
  };
  const touch = (field: LimitedField | ScheduleField) => () => setTouched((x) => ({ ...x, [field]: true }));
  const textProps = (
    field: LimitedField | ScheduleField,
  ): {
    name: string;
    value: string;
    disabled: boolean;
    onBlur: () => void;
    onChange: (ev: unknown, data: { value: string }) => void;
  } => ({
    name: field,
    value: values[field],
    disabled: !editable,
    onBlur: touch(field),
    onChange: (_: unknown, data: { value: string }) => update(field, data.value),
  });
  const fieldError = (field: LimitedField | ScheduleField): string | undefined =>
    touched[field] ? problemText(check.problems[field], t) : undefined;

  let saveMessage: React.ReactNode = null;
  if (outcome?.ok) {
    saveMessage = (
      <MessageBar intent="success" role="status">
        <MessageBarBody>{t.configSaved}</MessageBarBody>
      </MessageBar>
    );
  } else if (outcome && !outcome.ok) {
    const detail =
      isApiError(outcome.error) && outcome.error.status === 403
        ? t.configOtherChair
        : isApiError(outcome.error)
          ? describeError(outcome.error, t)
          : String(outcome.error instanceof Error ? outcome.error.message : outcome.error);
    saveMessage = (
      <div ref={errorRef} tabIndex={-1}>
        <MessageBar intent="error" role="alert" data-testid="config-save-error">
          <MessageBarBody>
            <MessageBarTitle>{t.configSaveFailedTitle}</MessageBarTitle>
            {t.configSaveFailed(detail)}
          </MessageBarBody>
        </MessageBar>
      </div>
    );
  }

  return (
    <main className={layout.page}>
      <h1 className={layout.h2}>{t.configHeading}</h1>
      <p className={s.intro}>{t.configIntro}</p>
      {load.phase === 'loading' ? <Spinner size="tiny" label={t.loading} /> : null}
      {load.phase === 'existing' ? (
        <MessageBar intent="info" role="status">
          <MessageBarBody>{t.configLoaded}</MessageBarBody>
        </MessageBar>
      ) : null}
      {load.phase === 'other-chair' ? (
        <MessageBar intent="warning" role="alert" data-testid="config-other-chair">
          <MessageBarBody>{t.configOtherChair}</MessageBarBody>
        </MessageBar>
      ) : null}
      {load.phase === 'failed' ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{describeError(load.error, t)}</MessageBarBody>
          <MessageBarActions>
            <Button
              onClick={() => {
                setLoad({ phase: 'loading' });
                setLoadGeneration((g) => g + 1);
              }}
            >
              {t.retry}
            </Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {saveMessage}
      <form className={s.form} onSubmit={(e) => e.preventDefault()}>
        <Field hint={t.sensitiveHint}>
          <Switch
            label={t.sensitiveLabel}
            checked={values.sensitive}
            disabled={!editable}
            onChange={(_, data) => update('sensitive', data.checked)}
          />
        </Field>
        <Field label={t.titleLabel} required validationMessage={fieldError('title')}>
          <Input {...textProps('title')} />
        </Field>
        {prefillNote ? <Caption1 data-testid="prefill-note">{prefillNote}</Caption1> : null}
        <Field label={t.levelLegend} required>
          <RadioGroup
            value={values.level}
            disabled={!editable}
            onChange={(_, data) => update('level', data.value as ConfigFormValues['level'])}
          >
            {LEVELS.map((level) => (
              <Radio key={level} value={level} label={locale === 'en' ? `${level} (${LEVEL_ENGLISH[level]})` : level} />
            ))}
          </RadioGroup>
        </Field>
        <Field label={t.reminderLabel} hint={t.reminderHint} required validationMessage={fieldError('reminder')}>
          <Textarea {...textProps('reminder')} resize="vertical" rows={3} />
        </Field>
        {values.reminder !== DEFAULT_REMINDER ? (
          <div className={s.reminderRow}>
            <Button appearance="subtle" disabled={!editable} onClick={() => update('reminder', DEFAULT_REMINDER)}>
              {t.reminderReset}
            </Button>
          </div>
        ) : null}
        <Field label={t.spokespersonLabel} hint={t.spokespersonHint} validationMessage={fieldError('spokesperson')}>
          <Input {...textProps('spokesperson')} />
        </Field>
        <fieldset className={s.schedule}>
          <legend className={s.legend}>{t.scheduleLegend}</legend>
          <div className={s.scheduleRow}>
            <Field label={t.dateLabel} validationMessage={fieldError('date')}>
              <Input type="date" {...textProps('date')} />
            </Field>
            <Field label={t.startTimeLabel} validationMessage={fieldError('startTime')}>
              <Input type="time" {...textProps('startTime')} />
            </Field>
            <Field label={t.endTimeLabel} validationMessage={fieldError('endTime')}>
              <Input type="time" {...textProps('endTime')} />
            </Field>
          </div>
          <Field label={t.placeLabel} hint={t.placeHint} validationMessage={fieldError('place')}>
            <Input {...textProps('place')} />
          </Field>
        </fieldset>
      </form>
      {editable ? <p className={layout.caption}>{t.configSaveHint}</p> : null}
    </main>
  );
}
