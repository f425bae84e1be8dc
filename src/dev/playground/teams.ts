/**
 * The simulated Teams meeting: the chair and three attendees side by side, each in their own fake Teams host, each
 * switchable between the meeting's pages (the chair also has the setup page, with Teams' Save button). A new meeting
 * per visit, so every visit starts from an unconfigured meeting.
 */
import type { TeamsHostControl } from '../fakes/teams-host/host-page';
import { ATTENDEES, CHAIR, type PlaygroundUser } from './people';
import type { MeetingView } from './teams-host';

const VIEW_LABELS: Record<MeetingView, string> = {
  config: '會議設定 Setup',
  'side-panel': '側邊欄 Side panel',
  stage: '會議舞台 Stage',
};

/** A Teams meeting id as a tab's context gives it: base64 of `0#<meeting chat thread>#0`. */
function newMeetingId(): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
  return btoa(`0#19:meeting_playground${random}@thread.v2#0`);
}

interface Person {
  readonly key: string;
  readonly user: PlaygroundUser;
  readonly role: string;
  readonly views: readonly MeetingView[];
  view: MeetingView;
  frame: HTMLIFrameElement;
  buttons: Map<MeetingView, HTMLButtonElement>;
}

export function startTeams(): void {
  const container = document.getElementById('meeting');
  if (!container) {
    return;
  }
  const meetingId = newMeetingId();
  const makePerson = (key: string, user: PlaygroundUser, role: string, views: readonly MeetingView[]): Person => ({
    key,
    user,
    role,
    views,
    view: views[0] as MeetingView,
    frame: document.createElement('iframe'),
    buttons: new Map(),
  });
  const people: Person[] = [
    makePerson('chair', CHAIR, '主席 Chair', ['config', 'side-panel', 'stage']),
    ...ATTENDEES.map((user, i) => makePerson(String(i), user, `與會者 Attendee ${i + 1}`, ['side-panel', 'stage'])),
  ];

  const show = (person: Person, view: MeetingView): void => {
    person.view = view;
    for (const [v, button] of person.buttons) {
      button.setAttribute('aria-pressed', String(v === view));
    }
    const query = new URLSearchParams({ person: person.key, view, meeting: meetingId });
    person.frame.src = `teams-host.html?${query.toString()}`;
    person.frame.title = `${person.user.name}的 Teams：${VIEW_LABELS[view]}`;
    if (person.user === CHAIR) {
      save.hidden = view !== 'config';
    }
  };

  const save = document.createElement('button');
  save.type = 'button';
  save.className = 'primary save';
  save.textContent = '儲存 Save';
  const saveStatus = document.createElement('p');
  saveStatus.setAttribute('role', 'status');
  saveStatus.className = 'save';

  for (const person of people) {
    const section = document.createElement('section');
    section.className = 'person';
    section.dataset.person = person.key;
    const heading = document.createElement('h2');
    heading.id = `person-${person.key}`;
    heading.append(`${person.user.name} `);
    const role = document.createElement('span');
    role.className = 'en';
    role.textContent = person.role;
    heading.append(role);
    section.setAttribute('aria-labelledby', heading.id);
    const views = document.createElement('div');
    views.className = 'views';
    views.setAttribute('role', 'group');
    views.setAttribute('aria-label', `${person.user.name}看到的頁面 Page shown to ${person.user.name}`);
    for (const view of person.views) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = VIEW_LABELS[view];
      button.addEventListener('click', () => show(person, view));
      person.buttons.set(view, button);
      views.append(button);
    }
    person.frame.className = 'host';
    section.append(heading, views);
    if (person.user === CHAIR) {
      section.append(save, saveStatus);
    }
    section.append(person.frame);
    container.append(section);
  }

  // Teams' Save button belongs to Teams, not to the page: the host asks the page to save and waits for its answer.
  save.addEventListener('click', () => {
    const chair = people[0] as Person;
    const host = (chair.frame.contentWindow as unknown as { teamsHost?: TeamsHostControl } | null)?.teamsHost;
    if (!host) {
      return;
    }
    saveStatus.textContent = '';
    host.save().then(
      (result) => {
        if (!result.ok) {
          saveStatus.textContent = `未儲存 Not saved：${result.reason}`;
          return;
        }
        saveStatus.textContent = '已儲存，會議已加入機敏守門員。 Saved: Secrecy Guard is in the meeting.';
        // The tab is in the meeting now: the chair sees the side panel, and every attendee's page starts again.
        for (const person of people) {
          show(person, person.user === CHAIR ? 'side-panel' : person.view);
        }
      },
      (e: unknown) => {
        saveStatus.textContent = `無法儲存 Cannot save：${e instanceof Error ? e.message : String(e)}`;
      },
    );
  });

  for (const person of people) {
    show(person, person.view);
  }
}
