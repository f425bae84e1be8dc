import { createTokenVerifier, type TokenVerifier } from '../../src/server/auth';
import { AUDIENCE, type FakeEntra, TENANT } from '../fakes/entra';

/** The server's token verifier, configured for the fake Entra issuer and the given tenants. */
export function entraVerifier(entra: FakeEntra, tenantIds: readonly string[] = [TENANT]): TokenVerifier {
  return createTokenVerifier({
    clientId: null,
    tenantIds: [...tenantIds],
    jwksUrl: entra.jwksUrl,
    issuer: entra.issuer,
    audience: AUDIENCE,
  });
}
