/**
 * One send check's runtime, as Outlook starts one per event: the Office host fake on the compose window's item, then
 * (in runtime.html) the built on-send script. The script calls the API at the origin it was built for (PUBLIC_URL);
 * here that is whatever origin the playground was opened at, as DNS would make it in the on-send tests.
 */
import { createFakeOffice } from '../fakes/office/office-host';
import { parentBridge } from './bridge';

const bridge = parentBridge();
const office = createFakeOffice({
  mailboxVersion: bridge.mailboxVersion,
  item: bridge.item,
  mailbox: bridge.mailbox,
  displayLanguage: bridge.displayLanguage,
  accessToken: () => bridge.token(bridge.sender),
});
const w = window as unknown as Record<string, unknown>;
w.Office = office.Office;
w.OfficeRuntime = office.OfficeRuntime;
const own = window.location.origin;
const pageFetch = window.fetch.bind(window);
window.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input), own);
  return pageFetch(url.pathname.startsWith('/api/') ? `${own}${url.pathname}${url.search}` : url.href, init);
};
bridge.runtimeStarted(office);
