/**
 * The printable 簽收單 comes from the server (`GET /api/receipts/{id}/print`), which needs the bearer token, so the
 * pane fetches it and shows it from a Blob URL: printed from a hidden frame, or opened in a window of its own.
 */
import type { ApiClient } from '../../../src/shared/api';

export async function receiptPageUrl(api: Pick<ApiClient, 'request'>, id: string): Promise<string> {
  const res = await api.request('GET', `/api/receipts/${encodeURIComponent(id)}/print`, undefined, 'text/html');
  const html = await res.text();
  return URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
}

/** Prints the page at `url` from a frame that is not shown; the frame and the URL go once printing is done. */
export function printFromHiddenFrame(url: string, title: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    frame.title = title;
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    Object.assign(frame.style, { position: 'fixed', width: '0', height: '0', border: '0', right: '0', bottom: '0' });
    const cleanUp = (): void => {
      window.setTimeout(() => {
        frame.remove();
        URL.revokeObjectURL(url);
      }, 60_000);
    };
    frame.onload = () => {
      try {
        frame.contentWindow?.focus();
        frame.contentWindow?.print();
        resolve();
      } catch (e) {
        reject(e as Error);
      } finally {
        cleanUp();
      }
    };
    frame.src = url;
    document.body.appendChild(frame);
  });
}
