/**
 * Run by server-bench.ts in its own process: a slow-headers storm against the server on 127.0.0.1:<port>.
 * Arguments: port, sockets, comma-separated local addresses. On SIGTERM it prints how many sockets it opened.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/**
 * A slow-headers storm: `sockets` TLS connections from `addresses` local addresses (127.0.x.y: this machine, but other
 * clients to the server), each sending half a request's headers and then a byte a second, never finishing. A socket
 * the server closes is opened again a second later, so the storm keeps its size.
 */
export function slowHeadersStorm(port: number, sockets: number, addresses: readonly string[]) {
  const open = new Set<TLSSocket>();
  let stopped = false;
  let opened = 0;
  const one = (k: number): void => {
    if (stopped) {
      return;
    }
    opened++;
    // From a chosen local address: the TCP socket first, TLS over it.
    const tcp = netConnect({ host: '127.0.0.1', port, localAddress: addresses[k % addresses.length] });
    tcp.on('error', () => undefined);
    const socket = tlsConnect({ socket: tcp, rejectUnauthorized: false });
    open.add(socket);
    let drip: NodeJS.Timeout | undefined;
    socket.on('secureConnect', () => {
      socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ');
      drip = setInterval(() => socket.write('a'), 1000);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      open.delete(socket);
      setTimeout(() => one(k), 1000);
    });
  };
  // Opened in bursts, as fast as this process manages: the storm is the load, not its ramp.
  for (let k = 0; k < sockets; k++) {
    setTimeout(() => one(k), Math.floor(k / 250) * 20);
  }
  return {
    opened: () => opened,
    stop: () => {
      stopped = true;
      open.forEach((s) => s.destroy());
    },
  };
}

const [port = '0', sockets = '5000', addresses = '127.0.0.2'] = process.argv.slice(2);
const storm = slowHeadersStorm(Number(port), Number(sockets), addresses.split(','));
process.on('SIGTERM', () => {
  storm.stop();
  process.stdout.write(`opened ${storm.opened()}\n`, () => process.exit(0));
});
