/**
 * Names that the manifests, the built scripts and the pages must agree on. The manifest build reads them from here,
 * the on-send script registers exactly these with `Office.actions.associate`, and `test/manifest` checks both ways.
 */

/** Function ids of the event-based (Smart Alerts) handlers, as registered with `Office.actions.associate`. */
export const ADDIN_ACTIONS = {
  onMessageSend: 'onMessageSendHandler',
  onAppointmentSend: 'onAppointmentSendHandler',
  onMessageAttachmentsChanged: 'onMessageAttachmentsChangedHandler',
  onAppointmentAttachmentsChanged: 'onAppointmentAttachmentsChangedHandler',
  onMessageRecipientsChanged: 'onMessageRecipientsChangedHandler',
} as const;
export type AddinActionId = (typeof ADDIN_ACTIONS)[keyof typeof ADDIN_ACTIONS];

/**
 * The ribbon control that opens the task pane from a message being composed. Smart Alerts' `commandId` names it, so
 * the send dialog's 「移除機敏內容」 button opens the pane on the strip view.
 */
export const TASKPANE_COMMAND_ID = 'SecrecyGuard.OpenPane';

/**
 * The same button on a meeting invite the user organizes: OnAppointmentSend's `commandId` names this one. The add-in
 * only manifest (Outlook on Mac) requires every control id to be unique across the manifest, so the appointment form
 * cannot reuse the message control's id, and the unified manifest uses the same pair so one `commandId` works with both.
 */
export const APPOINTMENT_TASKPANE_COMMAND_ID = 'SecrecyGuard.OpenPane.Appointment';

/** Paths under PUBLIC_URL where the server serves the built pages and scripts (from `dist/`). */
export const PAGE_PATHS = {
  /** The HTML page of the event runtime for web, new Outlook and Mac (loads office.js, then the on-send script). */
  commands: '/addin/commands.html',
  /** The single ES2016 on-send script that classic Outlook's JS-only runtime loads directly. */
  launchEvent: '/addin/launchevent.js',
  /** The task pane (its own folder: the on-send build and the task pane build each clean only their own). */
  taskpane: '/addin/taskpane/taskpane.html',
  teamsConfig: '/teams/config.html',
  teamsSidePanel: '/teams/side-panel.html',
  teamsStage: '/teams/stage.html',
  /** The Teams app + Outlook add-in package (unified manifest and icons). */
  appPackage: '/app-package.zip',
} as const;

/**
 * Local mode only (no `AUTH_*` setting): the playground and its development issuer. The server serves none of these
 * otherwise.
 */
export const LOCAL_MODE_PATHS = {
  playground: '/playground/',
  /**
   * The real task pane with the playground's Outlook in place of office.js. It sits beside the pane's own page so the
   * pane's chunks, PDF worker and character maps resolve exactly as they do in Outlook.
   */
  paneShell: '/addin/taskpane/playground.html',
  /** The development issuer's public keys (JWKS) and its token endpoint. */
  issuerKeys: '/playground/issuer/keys',
  issuerToken: '/playground/issuer/token',
} as const;

/**
 * Where the origin lists the scripts allowed to get SSO tokens and make CORS requests from classic Outlook's JS-only
 * runtime (`{ "allowed": [<script URL>…] }`). Office reads it at the root of the script's origin, whatever path
 * PUBLIC_URL has (learn.microsoft.com/office/dev/add-ins/develop/use-sso-in-event-based-activation).
 */
export const OFFICE_ADDINS_ALLOWED_PATH = '/.well-known/microsoft-officeaddins-allowed.json';
