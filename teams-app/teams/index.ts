/** The only code that touches teams-js: one module per capability. */
export {
  type HostContext,
  hostContext,
  notifyLoadFailure,
  notifyReady,
  PAGE_FRAMES,
  type PageFrame,
  startTeams,
  TeamsUnavailableError,
} from './app-context';
export { TeamsAuthError, teamsTokenProvider } from './auth';
export { shareToStage, type StageCapability, stageCapability, StageShareError } from './stage';
export { onSave, type SaveOutcome, setSaveEnabled, type TabConfig } from './tab-config';
export { onThemeChange } from './theme';
