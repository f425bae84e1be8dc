/**
 * The order TLS handshakes are started in under a storm, with stand-in sockets: Node's own handshake listener is
 * replaced by one that records which connection it was given, so the schedule is seen without timing anything.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

import { limitConnections } from '../../../src/server/connections';

/** Enough of a socket for the bounds: an address, a port, and the calls made on it. */
class StandInSocket extends EventEmitter {
  destroyed = false;
  readonly buffered: Buffer[] = [];
  constructor(
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    super();
  }
  pause(): this {
    return this;
  }
  unshift(chunk: Buffer): void {
    this.buffered.push(chunk);
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit('close');
    }
    return this;
  }
}

let nextPort = 40000;
/** A server whose handshakes are recorded instead of made, with the bounds applied. */
function recordingServer(options: Parameters<typeof limitConnections>[2] = {}) {
  const server = new TlsServer();
  server.removeAllListeners('connection');
  const started: StandInSocket[] = [];
  server.on('connection', (s: StandInSocket) => started.push(s));
  const guard = limitConnections(server, { perAddress: 0, total: 0 }, options);
  const arrive = (address: string, hello = true): StandInSocket => {
    const socket = new StandInSocket(address, nextPort++);
    server.emit('connection', socket as unknown as Socket);
    if (hello) {
      socket.emit('data', Buffer.from('client hello'));
    }
    return socket;
  };
  return { started, guard, arrive };
}

/** Lets the scheduler run `turns` event-loop turns. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setImmediate(r));
  }
}

describe('TLS handshakes under a storm', () => {
  it('starts a newcomer from an address of its own in the next turn, not behind the storm', async () => {
    const { started, guard, arrive } = recordingServer({ handshakesPerTurn: 2 });
    const storm = Array.from({ length: 300 }, () => arrive('127.0.0.5'));
    const legit = arrive('127.0.0.1');
    expect(started).toHaveLength(0); // nothing started in the accepting turn itself
    expect(guard.awaitingHandshake()).toBe(301);
    await turns(1);
    expect(started).toEqual([legit, storm[0]]);
    await turns(1);
    expect(started).toEqual([legit, storm[0], storm[1], storm[2]]);
    // The storm still gets every handshake, a bounded number per turn, and the ClientHello is kept for each.
    await turns(200);
    expect(started).toHaveLength(301);
    expect(started.every((s) => s.buffered.length === 1)).toBe(true);
    expect(guard.awaitingHandshake()).toBe(0);
  });

  it('first the address holding the fewest connections, then the addresses in turn, each in arrival order', async () => {
    const { started, arrive } = recordingServer({ handshakesPerTurn: 3 });
    const a = [arrive('10.0.0.1'), arrive('10.0.0.1'), arrive('10.0.0.1')];
    const b = [arrive('10.0.0.2'), arrive('10.0.0.2')];
    const c = [arrive('10.0.0.3')];
    await turns(1);
    expect(started).toEqual([c[0], a[0], b[0]]);
    await turns(1);
    expect(started).toEqual([c[0], a[0], b[0], b[1], a[1], a[2]]);
  });

  it('starts an address of its own first, beside a storm from 50 addresses', async () => {
    const { started, arrive } = recordingServer({ handshakesPerTurn: 4 });
    for (let i = 0; i < 50; i++) {
      for (let k = 0; k < 20; k++) {
        arrive(`127.0.1.${i + 1}`);
      }
    }
    const legit = arrive('127.0.0.1');
    await turns(1);
    expect(started[0]).toBe(legit);
  });

  it('closes a connection that sends no ClientHello within the greeting time, without starting a handshake', async () => {
    const { started, guard, arrive } = recordingServer({ greetingTimeoutMs: 20 });
    const silent = arrive('127.0.0.9', false);
    const closed = new Promise((r) => silent.once('close', r));
    await closed;
    expect(silent.destroyed).toBe(true);
    expect(started).toHaveLength(0);
    expect(guard.awaitingHandshake()).toBe(0);
  });

  it('skips a connection closed while it waited', async () => {
    const { started, arrive } = recordingServer({ handshakesPerTurn: 1 });
    const first = arrive('127.0.0.5');
    const second = arrive('127.0.0.5');
    first.destroy();
    await turns(1);
    expect(started).toEqual([second]);
  });
});
