/**
 * One person's Teams in the playground: the fake Teams host (the one the browser tests use) framing one of our
 * meeting pages, with that person's token from the development issuer as Teams SSO's. Which person, page and meeting
 * come from the query string the playground page gives the frame.
 */
import { PAGE_PATHS } from '../../shared/app-ids';
import { type FrameContext, startTeamsHost, type TeamsHostControl } from '../fakes/teams-host/host-page';
import { ATTENDEES, CHAIR, type PlaygroundUser } from './people';
import { tokenFor } from './tokens';

export type MeetingView = 'config' | 'side-panel' | 'stage';

export const VIEWS: Record<MeetingView, { readonly path: string; readonly frameContext: FrameContext }> = {
  config: { path: PAGE_PATHS.teamsConfig, frameContext: 'settings' },
  'side-panel': { path: PAGE_PATHS.teamsSidePanel, frameContext: 'sidePanel' },
  stage: { path: PAGE_PATHS.teamsStage, frameContext: 'meetingStage' },
};

/** The tab's entity id, as the configuration page saves it. */
const ENTITY_ID = 'secrecy-guard-reminder';

/** The `tid` claim of a token: the tenant Teams' context names is the one the user signed in to. */
function tenantOf(token: string): string {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return String((JSON.parse(json) as { tid?: unknown }).tid ?? '');
}

async function start(): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  const who = params.get('person');
  const user: PlaygroundUser | undefined = who === 'chair' ? CHAIR : ATTENDEES[Number(who)];
  const view = VIEWS[(params.get('view') ?? '') as MeetingView];
  const meetingId = params.get('meeting');
  if (!user || !view || !meetingId) {
    document.body.textContent = '此頁只在試用環境中使用 / This page is used only by the playground.';
    return;
  }
  const token = await tokenFor(user);
  const host: TeamsHostControl = startTeamsHost({
    appUrl: `${window.location.origin}${view.path}`,
    frameContext: view.frameContext,
    locale: 'zh-tw',
    theme: 'default',
    user: { ...user, tid: tenantOf(token) },
    meetingId,
    entityId: view.frameContext === 'settings' ? null : ENTITY_ID,
    token,
    auth: 'ok',
    // Only the organiser may share to the stage, as in Teams.
    sharePermission: user === CHAIR,
    stageOutcome: 'ok',
    capabilityOutcome: 'answer',
    validDomains: [window.location.host],
  });
  (window as unknown as { teamsHost: TeamsHostControl }).teamsHost = host;
  // Teams hands out a fresh token when the old one nears its end; so does this host.
  setInterval(() => void tokenFor(user).then((t) => host.setToken(t)), 5 * 60 * 1000);
}

void start();
