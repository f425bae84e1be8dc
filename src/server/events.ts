/**
 * Acknowledgement events across server instances: PostgreSQL LISTEN/NOTIFY. Every instance listens on one channel and
 * delivers to its own SSE subscribers, so a chair connected to instance A sees an acknowledgement taken by instance B.
 * Publishing only notifies; local delivery comes back through the listener, so each event is delivered once.
 *
 * The listening connection can drop (a PostgreSQL restart or failover, an idle connection cut by the network) while
 * acknowledgements keep committing through the pool. Events sent meanwhile are gone, so when the listener is lost every
 * open stream is ended (its client reconnects and refetches the roster), new streams are refused until the listener is
 * back, and the listener reconnects with backoff and LISTENs again. A heartbeat query finds a connection that died
 * without a word (no FIN, no RST), which LISTEN alone would wait on forever.
 */
import { Client, Pool } from 'pg';

import type { AcknowledgementEvent, EventBus } from './app';
import { inProcessEventBus } from './app';

export const CHANNEL = 'secrecy_guard_acknowledgements';
/** The listener's `application_name`, so an operator (or a test) can find it in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'secrecy-guard-listener';

export interface ClosableEventBus extends EventBus {
  close(): Promise<void>;
}

export interface PostgresEventBusOptions {
  /** Waits between attempts to get the listener back. @default [250, 500, 1000, 2000, 5000, 10000] */
  readonly backoffMs?: readonly number[];
  /** How often the listener proves it is alive. @default 30000 */
  readonly heartbeatMs?: number;
  /** How long a heartbeat may take before the connection counts as dead. @default 10000 */
  readonly heartbeatTimeoutMs?: number;
  /** How long connecting may take (an unreachable server can leave a connect hanging). @default 10000 */
  readonly connectTimeoutMs?: number;
}

export async function postgresEventBus(
  databaseUrl: string,
  onError: (e: Error) => void = () => undefined,
  options: PostgresEventBusOptions = {},
): Promise<ClosableEventBus> {
  const backoff = options.backoffMs ?? [250, 500, 1000, 2000, 5000, 10000];
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 10_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const local = inProcessEventBus();
  // A small pool, so notifications from concurrent requests do not queue behind each other on one connection.
  const notifier = new Pool({ connectionString: databaseUrl, max: 4 });
  notifier.on('error', onError);
  let listener: Client | null = null;
  let closed = false;
  let attempts = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let heartbeat: ReturnType<typeof setInterval> | null = null;

  const deliver = (msg: { channel: string; payload?: string }): void => {
    if (msg.channel !== CHANNEL || !msg.payload) {
      return;
    }
    try {
      local.publish(JSON.parse(msg.payload) as AcknowledgementEvent);
    } catch (e) {
      onError(e as Error);
    }
  };

  const lost = (client: Client, error: Error | null): void => {
    if (client !== listener) {
      return;
    }
    listener = null;
    if (heartbeat) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
    void client.end().catch(() => undefined);
    onError(error ?? new Error('the LISTEN connection ended'));
    // Whatever was sent while nobody listened is gone: streams end, so their clients reconnect and refetch.
    local.dropSubscribers();
    if (!closed) {
      reconnectLater();
    }
  };

  const connect = async (): Promise<void> => {
    const client = new Client({
      connectionString: databaseUrl,
      application_name: LISTENER_APPLICATION_NAME,
      connectionTimeoutMillis: connectTimeoutMs,
    });
    client.on('error', (e) => lost(client, e));
    client.on('end', () => lost(client, null));
    client.on('notification', deliver);
    try {
      await within(
        (async () => {
          await client.connect();
          await client.query(`LISTEN ${CHANNEL}`);
        })(),
        connectTimeoutMs,
        'connecting the LISTEN connection took too long',
      );
    } catch (e) {
      void client.end().catch(() => undefined);
      throw e;
    }
    if (closed) {
      await client.end().catch(() => undefined);
      return;
    }
    listener = client;
    attempts = 0;
    heartbeat = setInterval(() => {
      within(client.query('SELECT 1'), heartbeatTimeoutMs, 'the LISTEN connection did not answer a heartbeat').catch(
        (e: unknown) => lost(client, e as Error),
      );
    }, heartbeatMs);
    heartbeat.unref?.();
  };

  const reconnectLater = (): void => {
    const wait = backoff[Math.min(attempts, backoff.length - 1)] ?? 10_000;
    attempts++;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect().catch((e: unknown) => {
        onError(e as Error);
        if (!closed) {
          reconnectLater();
        }
      });
    }, wait);
  };

  await connect();
  return {
    channel: CHANNEL,
    publish(event) {
      // NOTIFY payloads are limited to 8000 bytes; an event is a few hundred.
      notifier.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(event)]).catch(onError);
    },
    subscribe: local.subscribe,
    isLive: () => listener !== null,
    async close() {
      closed = true;
      if (retryTimer) {
        clearTimeout(retryTimer);
      }
      if (heartbeat) {
        clearInterval(heartbeat);
      }
      const current = listener;
      listener = null;
      await Promise.allSettled([current?.end(), notifier.end()]);
    },
  };
}

/** `promise`, or a rejection with `message` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
