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
export {
  shareToStage,
  STAGE_CALL_TIMEOUT_MS,
  type StageCapability,
  stageCapability,
  type StageErrorCode,
  StageShareError,
} from './stage';
export { onSave, type SaveOutcome, setSaveEnabled, type TabConfig } from './tab-config';
export { onThemeChange } from './theme';
