import { SSO_SCOPES } from '../../../manifest/app';
import { ENTRA_REGISTRATION } from '../../../manifest/build';
import { DEFAULT_API_SCOPE } from '../../../src/server/config';
import { API_SCOPE, checkRegistration, MICROSOFT_GRAPH_APP_ID } from '../../../src/shared/entra-registration';
import { buildManifests } from '../../support/manifest-build';

const CLIENT_ID = '3f6a8c2e-1b4d-4e7f-9a0b-5c6d7e8f9a0b';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

function registration(env: Record<string, string>): Doc {
  const bytes = buildManifests(env).files[ENTRA_REGISTRATION];
  if (!bytes) {
    throw new Error(`the build wrote no ${ENTRA_REGISTRATION}`);
  }
  return JSON.parse(bytes.toString('utf8')) as Doc;
}

describe('the generated Entra app registration', () => {
  const env = { PUBLIC_URL: 'https://sg.example.gov.tw:8443', AUTH_CLIENT_ID: CLIENT_ID.toUpperCase() };
  const doc = registration(env);
  const built = buildManifests(env);

  it('is in the Microsoft Graph manifest format, with access token version 2 where that format keeps it', () => {
    expect(doc.api.requestedAccessTokenVersion).toBe(2);
    // Azure AD Graph attributes would make the portal refuse the upload ("invalid property").
    for (const legacy of [
      'accessTokenAcceptedVersion',
      'oauth2Permissions',
      'replyUrlsWithType',
      'preAuthorizedApplications',
    ]) {
      expect(doc).not.toHaveProperty(legacy);
    }
  });

  it('names the same API as the manifests, on the same host and port, with the SPA redirect for NAA', () => {
    expect(doc.appId).toBe(CLIENT_ID);
    expect(doc.identifierUris).toEqual([`api://sg.example.gov.tw:8443/${CLIENT_ID}`]);
    expect(doc.identifierUris).toEqual([built.manifest.webApplicationInfo?.resource]);
    expect(built.xml).toContain(`<Resource>api://sg.example.gov.tw:8443/${CLIENT_ID}</Resource>`);
    expect(doc.spa).toEqual({ redirectUris: ['brk-multihub://sg.example.gov.tw:8443'] });
    // No web redirect: nothing in the app signs in by redirecting to its own pages.
    expect(doc).not.toHaveProperty('web');
  });

  it('exposes the scope the server requires, pre-authorised for every documented Teams, Microsoft 365 and Outlook client', () => {
    expect(doc.api.oauth2PermissionScopes).toEqual([
      expect.objectContaining({ value: DEFAULT_API_SCOPE, id: API_SCOPE.id, isEnabled: true, type: 'User' }),
    ]);
    // The client ids of learn.microsoft.com/microsoftteams/platform/tabs/how-to/authentication/tab-sso-register-aad
    // and, for Office SSO, learn.microsoft.com/office/dev/add-ins/develop/register-sso-add-in-aad-v2.
    const documented = [
      '1fec8e78-bce4-4aaf-ab1b-5451cc387264', // Teams mobile or desktop
      '5e3ce6c0-2b1f-4285-8d4b-75ee78787346', // Teams web
      '4765445b-32c6-49b0-83e6-1d93765276ca', // Microsoft 365 web
      '0ec893e0-5785-4de6-99da-4ed124e5296c', // Microsoft 365 desktop
      'd3590ed6-52b3-4102-aeff-aad2292ab01c', // Microsoft 365 mobile, Outlook desktop
      'bc59ab01-8403-45c6-8796-ac3ef710b3e3', // Outlook web
      '27922004-5251-4030-b22d-91ecd9a37ea4', // Outlook mobile
      'ea5a67f6-b6f3-4338-b240-c655ddc3cc8e', // all Microsoft Office application endpoints
    ];
    expect(doc.api.preAuthorizedApplications).toEqual(
      documented.map((appId) => ({ appId, delegatedPermissionIds: [API_SCOPE.id] })),
    );
  });

  it('declares Policy.Admin and Inspection.Read for users, with ids that do not change between builds', () => {
    const other = registration({
      PUBLIC_URL: 'https://other.example.gov.tw',
      AUTH_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
    });
    const roles = (d: Doc) => d.appRoles.map((r: Doc) => [r.value, r.id, r.isEnabled, r.allowedMemberTypes]);
    expect(roles(doc).map((r: unknown[]) => r[0])).toEqual(['Policy.Admin', 'Inspection.Read']);
    expect(roles(doc)).toEqual(roles(other));
    for (const [, id, enabled, members] of roles(doc)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect([enabled, members]).toEqual([true, ['User']]);
    }
    expect(other.api.oauth2PermissionScopes[0].id).toBe(API_SCOPE.id);
  });

  it('asks Microsoft Graph for the delegated scopes Office SSO and the server use, and nothing else', () => {
    expect(doc.requiredResourceAccess).toEqual([
      {
        resourceAppId: MICROSOFT_GRAPH_APP_ID,
        resourceAccess: [
          { id: '37f7f235-527c-4136-accd-4a02d197296e', type: 'Scope' }, // openid
          { id: '14dad69e-099b-42c9-810b-d002981feec1', type: 'Scope' }, // profile
          { id: 'c5a9e2b1-faf6-41d4-8875-d381aa549b24', type: 'Scope' }, // ChatMember.Read
          { id: '9547fcb5-d03f-419d-9948-5928bbf71b0f', type: 'Scope' }, // Chat.ReadBasic
          { id: '9be106e1-f4e3-4df5-bdff-e4bc531cbe43', type: 'Scope' }, // OnlineMeetings.Read
        ],
      },
    ]);
    // The add-in only manifest's Office SSO scopes are among them.
    expect(SSO_SCOPES).toEqual(['openid', 'profile']);
  });

  it('passes its own check', () => {
    expect(checkRegistration(doc, { host: 'sg.example.gov.tw:8443', clientId: CLIENT_ID })).toEqual({
      format: 'microsoftGraph',
      problems: [],
    });
  });
});
