/**
 * The connections the server holds are bounded: a request is cut at its timeout however slowly its body trickles
 * in, and a client address (and the whole server) holds a bounded number of connections, so a storm of half-sent
 * requests from one place leaves room for everyone else. The timing under a 5,000-socket storm is in the bench
 * (`npm run bench -- server`); these check the behaviour.
 */
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

import type { FastifyInstance } from 'fastify';

import { buildApp, inProcessEventBus } from '../../src/server/app';
import { addressKey, type ConnectionLimits } from '../../src/server/connections';
import type { Db } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrations';
import { devCertificate } from '../../src/server/tls';
import { type FakeEntra, startFakeEntra } from '../fakes/entra';
import { entraVerifier } from '../support/entra-verifier';
import { openStore } from '../support/stores';

let entra: FakeEntra;
let db: Db;
let app: FastifyInstance | null = null;
let port: number;
/** Every client socket a test opened, destroyed after it: the server's close waits for requests in flight. */
const clients = new Set<Socket>();
beforeAll(async () => {
  entra = await startFakeEntra();
  db = await openStore('pglite');
  await migrate(db);
});
afterAll(async () => {
  await db.close();
  await entra.close();
});
afterEach(async () => {
  clients.forEach((s) => s.destroy());
  clients.clear();
  await app?.close();
  app = null;
});

async function listen(options: Parameters<typeof buildApp>[1]): Promise<void> {
  app = await buildApp({ db, events: inProcessEventBus(), verifier: entraVerifier(entra) }, options);
  app.get('/healthz', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
}

/** The connections the server holds now. */
function connectionsOpen(): Promise<number> {
  return new Promise((resolve) => app?.server.getConnections((_e, count) => resolve(count)));
}

interface Client {
  readonly socket: Socket;
  readonly answer: () => string;
  /** Whether the server accepted the connection and kept it (it answers, or it has not closed it). */
  readonly closed: Promise<void>;
  readonly isClosed: () => boolean;
}

/** A connection from `from` (any 127/8 address is this machine); resolves once connected. */
function open(from = '127.0.0.1'): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    clients.add(socket);
    let answer = '';
    let isClosed = false;
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) =>
      socket.on('close', () => {
        isClosed = true;
        r();
      }),
    );
    socket.once('connect', () => resolve({ socket, answer: () => answer, closed, isClosed: () => isClosed }));
    socket.once('error', reject);
  });
}

/** GET /healthz on a fresh connection: the status line, or null when the server closed it without an answer. */
async function healthz(from = '127.0.0.1'): Promise<string | null> {
  const client = await open(from);
  client.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  await client.closed;
  return client.answer() === '' ? null : (client.answer().split('\r\n')[0] ?? null);
}

/** A TLS connection from `from`: TCP from that address first, TLS over it (tls.connect takes no local address). */
function tlsFrom(from: string): TLSSocket {
  const tcp = connect({ host: '127.0.0.1', port, localAddress: from });
  tcp.on('error', () => undefined);
  return tlsConnect({ socket: tcp, rejectUnauthorized: false });
}

/** Half a request's headers: the server holds the connection, waiting for the rest. */
async function halfHeaders(from: string): Promise<Client> {
  const client = await open(from);
  client.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n');
  return client;
}

/** Lets the server's accept and close handlers run. */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

/** Waits until `done` holds (the test's own timeout ends a wait that never does). */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await done())) {
    await tick();
  }
}

describe('connections are bounded', () => {
  it('cuts a request whose body trickles in at the request timeout, and closes the socket', async () => {
    // The idle timeout never fires (a byte comes every 20 ms); only the request timeout can end this request.
    await listen({ requestTimeoutMs: 1000, idleTimeoutMs: 60_000 });
    const token = await entra.token({ oid: 'trickle' });
    const length = 1000; // 20 s at a byte every 20 ms: far past the one-second timeout
    const client = await open();
    client.socket.write(
      `POST /api/audit HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`,
    );
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < length && !client.isClosed()) {
        client.socket.write(' ');
        sent++;
      }
    }, 20);
    await client.closed;
    clearInterval(trickle);
    expect(client.answer()).toMatch(/^HTTP\/1\.1 408 /);
    expect(sent).toBeLessThan(length);
  });

  it('refuses the connection past the bound per address, while another address is served', async () => {
    const limits: ConnectionLimits = { perAddress: 3, total: 0 };
    await listen({ connections: limits });
    const held = [await halfHeaders('127.0.0.2'), await halfHeaders('127.0.0.2'), await halfHeaders('127.0.0.2')];
    await until(async () => (await connectionsOpen()) >= 3);
    await tick();
    expect(held.map((c) => c.isClosed())).toEqual([false, false, false]);
    // The fourth from that address is closed unanswered; this machine's other address is answered.
    expect(await healthz('127.0.0.2')).toBeNull();
    expect(await healthz('127.0.0.1')).toBe('HTTP/1.1 200 OK');
    // A place is freed when a held connection closes.
    held[0]?.socket.destroy();
    await held[0]?.closed;
    await until(async () => (await connectionsOpen()) < held.length);
    expect(await healthz('127.0.0.2')).toBe('HTTP/1.1 200 OK');
  });

  it('at the bound in total, sheds the oldest connection without a request for a newcomer from any address', async () => {
    await listen({ connections: { perAddress: 0, total: 2 } });
    const held = [await halfHeaders('127.0.0.2'), await halfHeaders('127.0.0.3')];
    await until(async () => (await connectionsOpen()) >= 2);
    // A storm holding every place no longer locks a newcomer out: the oldest half-sent request makes room.
    expect(await healthz('127.0.0.4')).toBe('HTTP/1.1 200 OK');
    await held[0]?.closed;
    expect(held[0]?.answer()).toBe('');
    expect(held[1]?.isClosed()).toBe(false);
  });

  it('never sheds a connection that has sent a request, and refuses the newcomer when every held one has', async () => {
    await listen({ connections: { perAddress: 0, total: 2 } });
    // A keep-alive client that has been answered and stays connected, as a signed-in task pane's does.
    const inUse = await open('127.0.0.2');
    inUse.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => inUse.answer().includes('{"ok":true}'));
    const halfSent = await halfHeaders('127.0.0.3');
    await until(async () => (await connectionsOpen()) >= 2);
    expect(await healthz('127.0.0.4')).toBe('HTTP/1.1 200 OK');
    await halfSent.closed;
    expect(inUse.isClosed()).toBe(false);
    // Both places now held by answered keep-alive clients: nothing to shed, so the newcomer is refused.
    const inUse2 = await open('127.0.0.5');
    inUse2.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => inUse2.answer().includes('{"ok":true}'));
    expect(await healthz('127.0.0.6')).toBeNull();
    expect([inUse.isClosed(), inUse2.isClosed()]).toEqual([false, false]);
    // The one in use is still served on its connection.
    inUse.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await inUse.closed;
    expect(inUse.answer().match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
  });

  it('a legitimate request is answered while a storm of half-sent requests holds its connections', async () => {
    await listen({ connections: { perAddress: 20, total: 1000 } });
    const storm = await Promise.all(Array.from({ length: 200 }, () => halfHeaders('127.0.0.5')));
    // The storm's first 20 are held, the rest closed unanswered; the held ones are still waiting for their headers.
    await until(() => storm.filter((c) => c.isClosed()).length >= 180);
    expect(await healthz('127.0.0.1')).toBe('HTTP/1.1 200 OK');
    expect(storm.filter((c) => !c.isClosed())).toHaveLength(20);
    expect(storm.every((c) => c.answer() === '')).toBe(true);
  });

  it('over TLS, a client is served while a storm from another address holds its handshaken sockets', async () => {
    const tls = await devCertificate(mkdtempSync(path.join(tmpdir(), 'sg-conn-')), '127.0.0.1');
    await listen({ https: { cert: tls.cert, key: tls.key }, connections: { perAddress: 0, total: 0 } });
    const stormSize = 200;
    let secured = 0;
    const storm = Array.from({ length: stormSize }, () => {
      const socket = tlsFrom('127.0.0.5');
      clients.add(socket);
      socket.on('error', () => undefined);
      socket.once('secureConnect', () => {
        secured++;
        socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ');
      });
      return socket;
    });
    // Right behind the storm's ClientHellos (the order the handshakes start in is checked in test/unit/server).
    const answered = new Promise<string>((resolve, reject) => {
      const socket = tlsFrom('127.0.0.1');
      clients.add(socket);
      let answer = '';
      socket.once('secureConnect', () => socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'));
      socket.on('data', (c: Buffer) => (answer += c.toString()));
      socket.on('error', reject);
      socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    });
    expect(await answered).toBe('HTTP/1.1 200 OK');
    // The storm is not starved either: every one of its handshakes is made, and its sockets are held.
    await until(() => secured === stormSize);
    expect(storm.every((s) => !s.destroyed)).toBe(true);
  });
});

describe('the address a connection counts under', () => {
  it('is the IPv4 address (mapped or not), or the IPv6 /64', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8:0:1:bbbb:cccc:dddd:eeee')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
