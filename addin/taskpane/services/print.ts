/**
 * The printable 簽收單 comes from the server (`GET /api/receipts/{id}/print`), which needs the bearer token, so the
 * pane fetches it, then prints it from a hidden frame (`srcdoc`: the page's CSP allows frames from its own origin
 * only, and a Blob URL is not one) or opens it in a window of its own from a Blob URL. The server's page has a blank
 * cell for each part's salt, which only this machine holds: the pane writes them in (receipt-salts.ts), and blank
 * cells for the recipients' names, the subject, the file names and the 文號, which the server never receives
 * (receipt-details.ts).
 */
import type { ApiClient } from '../../../src/shared/api';
import { fillDetails, type ReceiptDetails } from './receipt-details';
import { fillSalts } from './receipt-salts';

export async function receiptPage(
  api: Pick<ApiClient, 'request'>,
  id: string,
  salts: readonly string[] | null,
  details: ReceiptDetails | null,
): Promise<string> {
  const res = await api.request('GET', `/api/receipts/${encodeURIComponent(id)}/print`, undefined, 'text/html');
  return fillDetails(fillSalts(await res.text(), salts), details);
}

/** Prints `html` from a frame that is not shown; the frame goes a minute later (printing may still be spooling). */
export function printFromHiddenFrame(html: string, title: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    frame.title = title;
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    frame.dataset.receiptPrint = 'true';
    Object.assign(frame.style, { position: 'fixed', width: '0', height: '0', border: '0', right: '0', bottom: '0' });
    frame.onload = () => {
      try {
        frame.contentWindow?.focus();
        frame.contentWindow?.print();
        resolve();
      } catch (e) {
        reject(e as Error);
      } finally {
        window.setTimeout(() => frame.remove(), 60_000);
      }
    };
    frame.srcdoc = html;
    document.body.appendChild(frame);
  });
}

/** Opens `html` in a new window (the user prints or saves it from there). */
export function openInNewWindow(html: string): void {
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
  window.open(url, '_blank', 'noopener');
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
