/**
 * Acknowledgement events across server instances: PostgreSQL LISTEN/NOTIFY. Every instance listens on one channel and
 * delivers to its own SSE subscribers, so a chair connected to instance A sees an acknowledgement taken by instance B.
 * Publishing only notifies; local delivery comes back through the listener, so each event is delivered once.
 */
import { Client, Pool } from 'pg';

import type { AcknowledgementEvent, EventBus } from './app';
import { inProcessEventBus } from './app';

export const CHANNEL = 'secrecy_guard_acknowledgements';

export interface ClosableEventBus extends EventBus {
  close(): Promise<void>;
}

export async function postgresEventBus(
  databaseUrl: string,
  onError: (e: Error) => void = () => undefined,
): Promise<ClosableEventBus> {
  const local = inProcessEventBus();
  const listener = new Client({ connectionString: databaseUrl });
  // A small pool, so notifications from concurrent requests do not queue behind each other on one connection.
  const notifier = new Pool({ connectionString: databaseUrl, max: 4 });
  await listener.connect();
  listener.on('notification', (msg) => {
    if (msg.channel !== CHANNEL || !msg.payload) {
      return;
    }
    try {
      local.publish(JSON.parse(msg.payload) as AcknowledgementEvent);
    } catch (e) {
      onError(e as Error);
    }
  });
  listener.on('error', onError);
  await listener.query(`LISTEN ${CHANNEL}`);
  return {
    channel: CHANNEL,
    publish(event) {
      // NOTIFY payloads are limited to 8000 bytes; an event is a few hundred.
      notifier.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(event)]).catch(onError);
    },
    subscribe: local.subscribe,
    async close() {
      await Promise.allSettled([listener.end(), notifier.end()]);
    },
  };
}
