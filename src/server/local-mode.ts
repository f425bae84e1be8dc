/**
 * Local mode: what `npm start` runs with no `AUTH_*` setting, so a newcomer sees the product work without a tenant.
 * The same server and store, plus a development token issuer and the playground (`/playground/`), which hosts the real
 * task pane and Teams pages inside the fake Outlook and Teams hosts.
 *
 * The issuer's keys are generated per run and live only in this process; its tokens name LOCAL_MODE's tenant, which no
 * real tenant can have, and are accepted only by the verifier made here. Configuration refuses local mode on anything
 * but loopback (src/server/config.ts); the issuer itself also answers only a loopback peer that calls it localhost, so
 * a DNS-rebinding page cannot get a token through the user's browser.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from 'jose';

import { LOCAL_MODE_PATHS } from '../shared/app-ids';
import { createTokenVerifier, type TokenVerifier } from './auth';
import { DEFAULT_API_SCOPE, isLoopbackHost, LOCAL_MODE } from './config';

/** How long a development token lives: as an Entra access token at the least. */
const TOKEN_SECONDS = 3600;

/** Where the landing page (dist/index.html) takes the playground's link in local mode; nothing there otherwise. */
export const LANDING_PLAYGROUND_MARK = '<!-- local-mode playground -->';

const LANDING_PLAYGROUND_SECTION = `<h2>試用 <span class="en" lang="en">Try it</span></h2>
  <p><strong>本機模式</strong>：尚未設定登入（AUTH_*），伺服器只供本機使用。<br><span class="en" lang="en"><strong>Local mode</strong>: sign-in (AUTH_*) is not configured, so the server is for this machine only.</span></p>
  <ul>
    <li><a href="${LOCAL_MODE_PATHS.playground}">開啟試用環境：模擬的 Outlook 撰寫視窗與 Teams 會議</a><br><span class="en" lang="en">Open the playground: a simulated Outlook compose window and Teams meeting.</span></li>
  </ul>`;

export interface LocalUser {
  readonly oid: string;
  readonly name: string;
  readonly upn: string;
}

export interface LocalIssuer {
  readonly jwks: JSONWebKeySet;
  /** A delegated access token for the API, as Entra v2 would issue it for `user` in the development tenant. */
  issue(user: LocalUser): Promise<string>;
  /** Accepts this issuer's tokens, and only them. */
  readonly verifier: TokenVerifier;
}

export async function createLocalIssuer(): Promise<LocalIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = `local-${randomUUID()}`;
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  const verifier = createTokenVerifier(
    {
      clientId: null,
      tenantIds: [LOCAL_MODE.tenantId],
      jwksUrl: null,
      issuer: LOCAL_MODE.issuer,
      audience: LOCAL_MODE.audience,
    },
    createLocalJWKSet(jwks),
  );
  return {
    jwks,
    verifier,
    issue: (user) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        oid: user.oid,
        tid: LOCAL_MODE.tenantId,
        name: user.name,
        preferred_username: user.upn,
        scp: DEFAULT_API_SCOPE,
        ver: '2.0',
      })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(LOCAL_MODE.issuer)
        .setAudience(LOCAL_MODE.audience)
        .setIssuedAt(now)
        .setNotBefore(now - 10)
        .setExpirationTime(now + TOKEN_SECONDS)
        .sign(privateKey);
    },
  };
}

/** A peer on this machine that called the server by a loopback name (a rebinding page's Host is its own domain). */
function fromThisMachine(request: FastifyRequest): boolean {
  const peer = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const host = request.headers.host ?? '';
  const hostname = /^\[[^\]]*\]/.exec(host)?.[0] ?? host.replace(/:\d+$/, '');
  return isLoopbackHost(peer) && isLoopbackHost(hostname);
}

const notLoopback = (reply: FastifyReply): FastifyReply =>
  reply.code(403).send({
    code: 'not_loopback',
    message: '本機模式的簽發者只回應本機 / The local-mode issuer answers this machine only',
  });

/**
 * The local-mode routes: the issuer's keys and token endpoint, the landing page with the playground's link, and the
 * task pane's playground page. The playground's own files are static files under dist/playground, which `main.ts`
 * serves only in local mode.
 */
export function registerLocalMode(app: FastifyInstance, issuer: LocalIssuer, staticDir: string): void {
  app.get(LOCAL_MODE_PATHS.issuerKeys, async (request, reply) => {
    if (!fromThisMachine(request)) {
      return notLoopback(reply);
    }
    return reply.header('cache-control', 'no-store').send(issuer.jwks);
  });
  app.post<{ Body: LocalUser }>(
    LOCAL_MODE_PATHS.issuerToken,
    {
      schema: {
        body: {
          type: 'object',
          required: ['oid', 'name', 'upn'],
          additionalProperties: false,
          properties: {
            oid: { type: 'string', pattern: '^[0-9a-f-]{1,64}$' },
            name: { type: 'string', minLength: 1, maxLength: 100 },
            upn: { type: 'string', pattern: '^[^@\\s]{1,64}@[^@\\s]{1,200}$' },
          },
        },
      },
    },
    async (request, reply) => {
      if (!fromThisMachine(request)) {
        return notLoopback(reply);
      }
      return reply.header('cache-control', 'no-store').send({
        token_type: 'Bearer',
        expires_in: TOKEN_SECONDS,
        access_token: await issuer.issue(request.body),
      });
    },
  );
  const landing = path.join(staticDir, 'index.html');
  const sendLanding = async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (!existsSync(landing)) {
      reply.callNotFound();
      return reply;
    }
    const page = readFileSync(landing, 'utf8').replace(LANDING_PLAYGROUND_MARK, LANDING_PLAYGROUND_SECTION);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
  };
  app.get('/', sendLanding);
  app.get('/index.html', sendLanding);
  const paneShell = path.join(staticDir, 'playground', 'taskpane.html');
  app.get(LOCAL_MODE_PATHS.paneShell, async (_request, reply) => {
    if (!existsSync(paneShell)) {
      reply.callNotFound();
      return reply;
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(readFileSync(paneShell));
  });
}

/** Whether a static path may be served: the playground's files only in local mode. */
export function staticPathAllowed(localMode: boolean, pathname: string): boolean {
  // As the file is looked up: `//playground/…` and `/x/../playground/…` are the same folder.
  const normalised = path.posix.normalize(pathname);
  return localMode || !(normalised === '/playground' || normalised.startsWith(LOCAL_MODE_PATHS.playground));
}
