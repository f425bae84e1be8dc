/**
 * The Office host fake as the task pane's `/vendor/office-js/office.js` in the browser tests: it reads the test's
 * configuration from `window.__FAKE_OUTLOOK_CONFIG__` (set by an init script before any page script runs), installs
 * `Office` and `OfficeRuntime`, and leaves `window.__fakeOutlook` for the test to act as the user and inspect the item
 * and the mailbox (what the pane left there can be handed to the send handler's runtime).
 */
import { extendForTaskPane, type TaskPaneOptions } from '../../../src/dev/fakes/office/task-pane';
import {
  createFakeItem,
  createFakeMailbox,
  createFakeOffice,
  type FakeItemState,
  type FakeMailboxVersion,
} from '../../fakes/office';

export interface FakeOutlookConfig {
  readonly mailboxVersion: FakeMailboxVersion;
  readonly displayLanguage?: string;
  readonly item: Partial<Omit<FakeItemState, 'sessionData'>>;
  readonly pane?: TaskPaneOptions;
}

const w = window as unknown as Record<string, unknown>;
const config = w.__FAKE_OUTLOOK_CONFIG__ as FakeOutlookConfig;
const item = createFakeItem(config.item);
const mailbox = createFakeMailbox();
const office = createFakeOffice({
  mailboxVersion: config.mailboxVersion,
  item,
  mailbox,
  ...(config.displayLanguage ? { displayLanguage: config.displayLanguage } : {}),
});
const controller = extendForTaskPane(office, item, config.pane ?? {});
w.Office = office.Office;
w.OfficeRuntime = office.OfficeRuntime;
w.__fakeOutlook = { item, mailbox, controller, calls: office.calls };
