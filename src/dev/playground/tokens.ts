/** Tokens from local mode's development issuer, one per person, asked for again shortly before they expire. */
import { LOCAL_MODE_PATHS } from '../../shared/app-ids';
import type { PlaygroundUser } from './people';

const cache = new Map<string, { readonly token: string; readonly until: number }>();

export async function tokenFor(user: PlaygroundUser): Promise<string> {
  const hit = cache.get(user.oid);
  if (hit && hit.until > Date.now()) {
    return hit.token;
  }
  const res = await fetch(LOCAL_MODE_PATHS.issuerToken, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ oid: user.oid, name: user.name, upn: user.upn }),
  });
  if (!res.ok) {
    throw new Error(`本機簽發者拒絕 / the local issuer refused: ${res.status}`);
  }
  const body = (await res.json()) as { access_token: string; expires_in: number };
  cache.set(user.oid, { token: body.access_token, until: Date.now() + Math.max(0, body.expires_in - 300) * 1000 });
  return body.access_token;
}
