/**
 * The chair gives the expected attendees (應到) when the server cannot read the meeting's invitation list from Graph:
 * a box to paste one person a line into, checked line by line before anything is sent. Nothing typed is lost on a
 * problem or a failed save.
 */
import {
  Button,
  Label,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import * as React from 'react';

import type { ApiClient, InviteeList } from '../../src/shared/api';
import { describeError } from '../shared/errors';
import {
  formatInviteeList,
  INVITEE_LIMITS,
  type LineProblem,
  lineRange,
  type ParsedInviteeList,
  parseInviteeList,
} from '../shared/invitee-list';
import { useLayoutStyles } from '../shared/layout.styles';
import type { TeamsMessages } from '../shared/messages';
import { BusyButton } from '../shared/PageStates';

export type InviteeListEditorProps = {
  api: ApiClient;
  meetingId: string;
  /** The chair's list as last read, to start from. */
  current: InviteeList | null;
  t: TeamsMessages;
  /** The list as the server stored it. */
  onSaved: (list: InviteeList) => void;
};

const useStyles = makeStyles({
  box: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  textarea: { minHeight: '10em', fontFamily: tokens.fontFamilyBase },
  problems: { margin: 0, paddingInlineStart: tokens.spacingHorizontalL, color: tokens.colorPaletteRedForeground1 },
});

function describeProblem(problem: LineProblem, t: TeamsMessages): string {
  switch (problem.kind) {
    case 'no-name':
      return t.inviteeNoName;
    case 'too-long':
      return t.inviteeTooLong(problem.max);
    case 'invisible':
      return t.inviteeInvisible(problem.codePoint);
    case 'bad-address':
      return t.inviteeBadAddress(problem.address);
    case 'duplicate':
      return t.inviteeDuplicate(problem.firstLine);
  }
}

type Outcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'problems'; readonly parsed: ParsedInviteeList }
  | { readonly kind: 'failed'; readonly text: string }
  | { readonly kind: 'saved'; readonly text: string };

export function InviteeListEditor({ api, meetingId, current, t, onSaved }: InviteeListEditorProps): React.JSX.Element {
  const layout = useLayoutStyles();
  const s = useStyles();
  const [open, setOpen] = React.useState(false);
  const [text, setText] = React.useState('');
  const [saving, setSaving] = React.useState(false);
  const [outcome, setOutcome] = React.useState<Outcome>({ kind: 'none' });
  const [focusRequest, setFocusRequest] = React.useState(0);
  const boxRef = React.useRef<HTMLTextAreaElement>(null);
  const toggleRef = React.useRef<HTMLButtonElement>(null);
  const ids = { box: React.useId(), hint: React.useId(), preview: React.useId(), problems: React.useId() };
  // The count follows typing without holding it up on a long paste.
  const deferred = React.useDeferredValue(text);
  const preview = React.useMemo(() => parseInviteeList(deferred), [deferred]);

  const selectLine = React.useCallback(
    (line: number) => {
      const box = boxRef.current;
      if (box) {
        const { start, end } = lineRange(box.value, line);
        box.focus();
        box.setSelectionRange(start, end);
      }
    },
    [boxRef],
  );

  // After a save that found problems, focus goes to the first one (its line selected in the box).
  React.useEffect(() => {
    if (focusRequest > 0 && outcome.kind === 'problems') {
      const first = outcome.parsed.errors[0];
      if (first) {
        selectLine(first.line);
      } else {
        boxRef.current?.focus();
      }
    }
    // Only a new request moves focus, not every change of the outcome.
  }, [focusRequest]);

  const start = (): void => {
    setText(current?.source === 'chair' ? formatInviteeList(current.invitees) : '');
    setOutcome({ kind: 'none' });
    setOpen(true);
  };
  React.useEffect(() => {
    if (open) {
      boxRef.current?.focus();
    }
  }, [open]);

  const save = (): void => {
    if (saving) {
      return;
    }
    const parsed = parseInviteeList(text);
    if (parsed.errors.length > 0 || parsed.tooMany) {
      setOutcome({ kind: 'problems', parsed });
      setFocusRequest((n) => n + 1);
      return;
    }
    setSaving(true);
    setOutcome({ kind: 'none' });
    api.setInvitees(meetingId, parsed.invitees).then(
      (list) => {
        setSaving(false);
        onSaved(list);
        setOpen(false);
        setOutcome({ kind: 'saved', text: t.inviteesSaved(list.invitees.length) });
        // The box is gone: focus returns to the button that opened it.
        setTimeout(() => toggleRef.current?.focus(), 0);
      },
      (e: unknown) => {
        setSaving(false);
        setOutcome({ kind: 'failed', text: t.inviteesSaveFailed(describeError(e, t)) });
      },
    );
  };

  const problems = outcome.kind === 'problems' ? outcome.parsed : null;
  const lineCount = problems ? problems.invitees.length + problems.errors.length : 0;
  const describedBy = [ids.hint, ids.preview, problems ? ids.problems : null].filter(Boolean).join(' ');

  return (
    <div className={s.box} data-testid="invitee-editor">
      {open ? (
        <>
          <Label htmlFor={ids.box} weight="semibold">
            {t.inviteesLabel}
          </Label>
          <p id={ids.hint} className={layout.caption}>
            {t.inviteesHint}
          </p>
          <Textarea
            id={ids.box}
            ref={boxRef}
            textarea={{ className: s.textarea }}
            resize="vertical"
            value={text}
            onChange={(_, data) => setText(data.value)}
            aria-describedby={describedBy}
            aria-invalid={problems ? true : undefined}
            data-testid="invitee-text"
          />
          <p id={ids.preview} className={layout.caption} aria-live="polite" data-testid="invitee-preview">
            {t.inviteesPreview(preview.invitees.length)}
          </p>
          {problems ? (
            <div id={ids.problems} role="alert" data-testid="invitee-problems">
              <p className={layout.caption}>
                {t.inviteesProblems(problems.errors.length + (problems.tooMany ? 1 : 0))}
              </p>
              <ul className={s.problems}>
                {problems.tooMany ? <li>{t.inviteesTooMany(lineCount, INVITEE_LIMITS.count)}</li> : null}
                {problems.errors.map(({ line, problem }) => (
                  <li key={line}>
                    <Link as="button" onClick={() => selectLine(line)}>
                      {t.inviteesLine(line)}
                    </Link>{' '}
                    {describeProblem(problem, t)}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {outcome.kind === 'failed' ? (
            <MessageBar intent="error" role="alert" data-testid="invitee-save-error">
              <MessageBarBody>{outcome.text}</MessageBarBody>
            </MessageBar>
          ) : null}
          <div className={layout.row}>
            <BusyButton appearance="primary" busy={saving} onClick={save} data-testid="invitee-save">
              {t.inviteesSave}
            </BusyButton>
            <Button
              disabled={saving}
              onClick={() => {
                setOpen(false);
                setTimeout(() => toggleRef.current?.focus(), 0);
              }}
            >
              {t.inviteesCancel}
            </Button>
          </div>
        </>
      ) : (
        <div className={layout.row}>
          <Button ref={toggleRef} appearance="secondary" onClick={start} data-testid="invitee-edit">
            {t.inviteesEdit}
          </Button>
        </div>
      )}
      <div role="status" aria-live="polite">
        {outcome.kind === 'saved' && !open ? (
          <MessageBar intent="success" data-testid="invitee-saved">
            <MessageBarBody>{outcome.text}</MessageBarBody>
          </MessageBar>
        ) : null}
      </div>
    </div>
  );
}
