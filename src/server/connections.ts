/**
 * Bounds on the connections the server holds: in total, and per client address. A connection past the per-address
 * bound is closed as it is accepted, before a TLS handshake or a byte of HTTP is spent on it. At the total bound the
 * oldest connection that has not yet sent a request is shed for the newcomer, so a storm of half-open sockets cannot
 * lock everyone else out; only when every held connection has sent a request is the newcomer refused.
 *
 * Over TLS, handshakes are the costly part (a signature each, on the main thread) and Node starts one for every
 * ClientHello in the order they arrive: 5,000 storm sockets queued a legitimate client's handshake behind seconds of
 * others'. Here the handshakes are started a few per event-loop turn: each turn's first from the address holding the
 * fewest connections, the rest taking one from each address in turn. A client from an address of its own is started
 * within a turn or two however many others wait, no address waits for ever, and requests on established connections
 * are served between the turns.
 */
import { isIPv6, type Server, type Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

export interface ConnectionLimits {
  /** Connections open at once from one client address (an IPv6 /64 counts as one address); 0: no bound. */
  readonly perAddress: number;
  /** Connections open at once in total; 0: no bound. */
  readonly total: number;
}

/**
 * Room for an agency's NAT (every user behind one address, a browser opening a few connections each) and far below
 * what one process serves; a storm from one machine is cut at {@link perAddress}.
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { perAddress: 256, total: 10_000 };

export interface ConnectionGuardOptions {
  /**
   * How long a TLS connection may take to send its ClientHello and wait for its handshake to start; past it the
   * connection is closed (Node's own handshake and headers timeouts take over once the handshake has started).
   * @default 10000
   */
  readonly greetingTimeoutMs?: number;
  /** TLS handshakes started per event-loop turn. @default 4 */
  readonly handshakesPerTurn?: number;
}

/** What the bounds have done so far, for tests and operators. */
export interface ConnectionGuard {
  /** Connections closed unanswered as they arrived (past the per-address bound, or the total with none to shed). */
  readonly refused: () => number;
  /** Connections without a request yet, closed to make room for a newcomer at the total bound. */
  readonly shed: () => number;
  /** TLS connections that sent their ClientHello and wait for their handshake to be started. */
  readonly awaitingHandshake: () => number;
}

/**
 * The key a connection counts under: an IPv4 address (IPv4-mapped IPv6 as IPv4), or an IPv6 address's /64, which one
 * machine is usually given whole and can pick any address from.
 */
export function addressKey(address: string | undefined): string {
  if (!address) {
    return '';
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) {
    return mapped[1] as string;
  }
  if (!isIPv6(address)) {
    return address;
  }
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]?.split('::') ?? [];
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

interface Held {
  readonly socket: Socket;
  /** The peer's address and port: the same on the TLS socket a request arrives on. */
  readonly id: string;
  readonly key: string;
  /** It has sent a whole request's headers: a client in use, never shed for a newcomer. */
  requested: boolean;
}

/** Applies the bounds to a listening server (HTTP or HTTPS); each bound of 0 is left off. */
export function limitConnections(
  server: Server,
  limits: ConnectionLimits,
  options: ConnectionGuardOptions = {},
): ConnectionGuard {
  const greetingTimeoutMs = options.greetingTimeoutMs ?? 10_000;
  const handshakesPerTurn = Math.max(1, options.handshakesPerTurn ?? 4);
  let refused = 0;
  let shed = 0;
  /** Every held connection, oldest first (a Map keeps insertion order), by its peer's address and port. */
  const held = new Map<string, Held>();
  const perAddress = new Map<string, number>();
  const peer = (s: { remoteAddress?: string; remotePort?: number }): string => `${s.remoteAddress}|${s.remotePort}`;

  // Over TLS, Node's own connection listener starts the handshake; it is taken off and called by the scheduler below.
  const startHandshake = server instanceof TlsServer ? server.listeners('connection') : [];
  startHandshake.forEach((l) => server.removeListener('connection', l as (...a: unknown[]) => void));
  /** Per address, the connections whose ClientHello has come, in arrival order; the Map's order is the rotation. */
  const waiting = new Map<string, Socket[]>();
  let awaiting = 0;
  let turnScheduled = false;
  /**
   * The address to take the next handshake from: the first in the rotation, or the one holding the fewest connections
   * (a client arriving from its own address, beside 50 addresses holding 100 storm sockets each, would otherwise wait
   * for 50 handshakes).
   */
  const nextAddress = (fewest: boolean): string => {
    let pick = waiting.keys().next().value as string;
    if (fewest) {
      let least = perAddress.get(pick) ?? 0;
      for (const key of waiting.keys()) {
        const n = perAddress.get(key) ?? 0;
        if (n < least) {
          pick = key;
          least = n;
        }
      }
    }
    return pick;
  };
  const turn = (): void => {
    turnScheduled = false;
    let started = 0;
    while (started < handshakesPerTurn && waiting.size > 0) {
      // Each turn's first handshake goes to the address holding the fewest connections, the rest in rotation, so no
      // address waits for ever either.
      const key = nextAddress(started === 0);
      const queue = waiting.get(key) as Socket[];
      waiting.delete(key);
      const socket = queue.shift() as Socket;
      if (queue.length > 0) {
        waiting.set(key, queue); // to the back of the rotation
      }
      awaiting--;
      if (socket.destroyed) {
        continue;
      }
      started++;
      startHandshake.forEach((l) => (l as (s: Socket) => void).call(server, socket));
    }
    if (waiting.size > 0) {
      schedule();
    }
  };
  const schedule = (): void => {
    if (!turnScheduled) {
      turnScheduled = true;
      setImmediate(turn);
    }
  };
  const greet = (socket: Socket, key: string): void => {
    const timer = setTimeout(() => socket.destroy(), greetingTimeoutMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('data', (hello: Buffer) => {
      // Kept for the handshake, which reads what the socket has buffered before reading on.
      socket.pause();
      socket.unshift(hello);
      clearTimeout(timer);
      const queue = waiting.get(key);
      if (queue) {
        queue.push(socket);
      } else {
        waiting.set(key, [socket]);
      }
      awaiting++;
      schedule();
    });
  };

  /** Counts a connection out, once: at its close, or when it is shed (so the newcomer's place is there at once). */
  const release = (h: Held): void => {
    if (held.get(h.id) !== h) {
      return;
    }
    held.delete(h.id);
    const left = (perAddress.get(h.key) ?? 1) - 1;
    if (left > 0) {
      perAddress.set(h.key, left);
    } else {
      perAddress.delete(h.key);
    }
  };

  server.on('connection', (socket: Socket) => {
    if (socket.remoteAddress === undefined) {
      socket.destroy(); // reset before it was accepted: nothing to count it under
      return;
    }
    const key = addressKey(socket.remoteAddress);
    const fromAddress = perAddress.get(key) ?? 0;
    if (limits.perAddress > 0 && fromAddress >= limits.perAddress) {
      refused++;
      socket.destroy();
      return;
    }
    if (limits.total > 0 && held.size >= limits.total) {
      let oldest: Held | undefined;
      for (const h of held.values()) {
        if (!h.requested) {
          oldest = h;
          break;
        }
      }
      if (!oldest) {
        refused++;
        socket.destroy();
        return;
      }
      shed++;
      release(oldest);
      oldest.socket.destroy();
    }
    const entry: Held = { socket, id: peer(socket), key, requested: false };
    held.set(entry.id, entry);
    perAddress.set(key, (perAddress.get(key) ?? 0) + 1);
    socket.once('close', () => release(entry));
    if (startHandshake.length > 0) {
      greet(socket, key);
    }
  });
  server.on('request', (req: { socket: { remoteAddress?: string; remotePort?: number } }) => {
    const h = held.get(peer(req.socket));
    if (h) {
      h.requested = true;
    }
  });
  return { refused: () => refused, shed: () => shed, awaitingHandshake: () => awaiting };
}
