/**
 * office.js for the real task pane inside the playground (`/addin/taskpane/playground.html`): the Office host fake,
 * working on the compose window's item, with the sender's token from the development issuer as Office SSO's.
 */
import { createFakeOffice } from '../fakes/office/office-host';
import { extendForTaskPane } from '../fakes/office/task-pane';
import { parentBridge } from './bridge';

const bridge = parentBridge();
const office = createFakeOffice({
  mailboxVersion: bridge.mailboxVersion,
  item: bridge.item,
  mailbox: bridge.mailbox,
  displayLanguage: bridge.displayLanguage,
});
const controller = extendForTaskPane(office, bridge.item, {
  paneAccessToken: () => bridge.token(bridge.sender),
  initializationContext: bridge.paneContext,
});
const w = window as unknown as Record<string, unknown>;
w.Office = office.Office;
w.OfficeRuntime = office.OfficeRuntime;
bridge.paneAttached(controller);
