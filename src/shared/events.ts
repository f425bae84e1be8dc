/**
 * The chair's live stream of acknowledgements (`GET /api/meetings/{id}/events`, server-sent events). The browser's
 * EventSource cannot send a bearer token, so this reads the stream with `fetch` and parses it here. It reconnects
 * with backoff and, on every (re)connect, the caller should refetch the roster: events missed while disconnected are
 * not replayed.
 */
import type { AcknowledgementEvent, FetchLike, TokenProvider } from './api';

export interface EventStreamHandlers {
  /** Each acknowledgement as it lands. */
  onAcknowledgement(event: AcknowledgementEvent): void;
  /** Connected (again): refetch the roster to fill any gap. */
  onOpen?(): void;
  /** Lost the connection; `retryInMs` until the next try. `status` is the HTTP status if the server refused. */
  onDisconnect?(info: { readonly status: number | null; readonly retryInMs: number }): void;
}

export interface EventStreamOptions {
  readonly baseUrl: string;
  readonly getToken: TokenProvider;
  readonly fetch: FetchLike;
  /** @default [500, 1000, 2000, 5000, 10000] */
  readonly backoffMs?: readonly number[];
  /**
   * With nothing at all from the server for this long (it sends a keep-alive every 25 s), the connection is taken
   * for dead (a laptop that slept, a changed network) and replaced. @default 60000
   */
  readonly idleTimeoutMs?: number;
}

/** Parses SSE text as it arrives; returns the complete events and keeps the unfinished tail. */
export function parseSse(buffer: string): { events: { event: string; data: string }[]; rest: string } {
  const events: { event: string; data: string }[] = [];
  const normalised = buffer.replace(/\r\n?/g, '\n');
  let start = 0;
  for (let end = normalised.indexOf('\n\n'); end !== -1; end = normalised.indexOf('\n\n', start)) {
    const block = normalised.slice(start, end);
    start = end + 2;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') {
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') {
        event = value;
      } else if (field === 'data') {
        data.push(value);
      }
    }
    if (data.length > 0) {
      events.push({ event, data: data.join('\n') });
    }
  }
  return { events, rest: normalised.slice(start) };
}

/** Follows a meeting's acknowledgements until the returned function is called. */
export function followAcknowledgements(
  options: EventStreamOptions,
  meetingId: string,
  handlers: EventStreamHandlers,
): () => void {
  const backoff = options.backoffMs ?? [500, 1000, 2000, 5000, 10000];
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const base = options.baseUrl.replace(/\/+$/, '');
  let stopped = false;
  let failures = 0;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const retry = (status: number | null, forceRefresh: boolean): void => {
    if (stopped) {
      return;
    }
    const retryInMs = backoff[Math.min(failures, backoff.length - 1)] ?? 10000;
    failures++;
    handlers.onDisconnect?.({ status, retryInMs });
    timer = setTimeout(() => void connect(forceRefresh), retryInMs);
  };

  const connect = async (forceRefresh: boolean): Promise<void> => {
    const current = new AbortController();
    controller = current;
    let status: number | null = null;
    // A half-open connection never ends and never errors; silence longer than the keep-alive interval gives it away.
    let idle: ReturnType<typeof setTimeout> | null = null;
    const quiet = (): void => {
      if (idle) {
        clearTimeout(idle);
      }
      idle = setTimeout(() => current.abort(), idleTimeoutMs);
    };
    try {
      const token = await options.getToken({ forceRefresh });
      quiet();
      const res = await options.fetch(`${base}/api/meetings/${encodeURIComponent(meetingId)}/events`, {
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        signal: current.signal,
      });
      if (!res.ok || !res.body) {
        status = res.status;
        // 403/404 will not heal by retrying soon, but the chair may be reassigned; keep trying with backoff.
        retry(status, status === 401);
        return;
      }
      failures = 0;
      handlers.onOpen?.();
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        quiet();
        const { done, value } = await reader.read();
        if (done) {
          break;
        }
        buffer += decoder.decode(value, { stream: true });
        const parsed = parseSse(buffer);
        buffer = parsed.rest;
        for (const e of parsed.events) {
          if (e.event === 'acknowledgement') {
            try {
              handlers.onAcknowledgement(JSON.parse(e.data) as AcknowledgementEvent);
            } catch {
              // a malformed event is dropped; the roster refetch on reconnect covers it
            }
          }
        }
      }
      retry(null, false);
    } catch {
      if (!stopped) {
        retry(status, false);
      }
    } finally {
      if (idle) {
        clearTimeout(idle);
      }
    }
  };

  void connect(false);
  return () => {
    stopped = true;
    if (timer) {
      clearTimeout(timer);
    }
    controller?.abort();
  };
}
