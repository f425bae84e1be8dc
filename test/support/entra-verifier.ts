import { createTokenVerifier, type TokenVerifier } from '../../src/server/auth';
import { AUDIENCE, type FakeEntra, TENANT } from '../fakes/entra';

/**
 * The server's token verifier, configured for the fake Entra issuer and the given tenants. With `clientId`, the
 * audience is what the server derives from AUTH_CLIENT_ID alone (the client id and `api://<client id>`).
 */
export function entraVerifier(
  entra: FakeEntra,
  tenantIds: readonly string[] = [TENANT],
  options: { clientId?: string } = {},
): TokenVerifier {
  return createTokenVerifier({
    clientId: options.clientId ?? null,
    tenantIds: [...tenantIds],
    jwksUrl: entra.jwksUrl,
    issuer: entra.issuer,
    audience: options.clientId ? null : AUDIENCE,
  });
}
