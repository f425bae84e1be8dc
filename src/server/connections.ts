/**
 * Bounds on the connections the server holds: in total, and per client address. A connection past either bound is
 * closed as it is accepted, before a TLS handshake or a byte of HTTP is spent on it, so a storm of sockets from one
 * place cannot queue legitimate clients behind thousands of handshakes and half-sent requests.
 */
import { isIPv6, type Server, type Socket } from 'node:net';

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

/** Applies the bounds to a listening server (HTTP or HTTPS); each bound of 0 is left off. */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
  if (limits.total > 0) {
    // Node closes the accepted handle itself, before any 'connection' listener runs.
    server.maxConnections = limits.total;
  }
  if (limits.perAddress <= 0) {
    return;
  }
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const key = addressKey(socket.remoteAddress);
    const count = open.get(key) ?? 0;
    if (count >= limits.perAddress) {
      socket.destroy();
      return;
    }
    open.set(key, count + 1);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) {
        open.set(key, left);
      } else {
        open.delete(key);
      }
    });
  });
}
