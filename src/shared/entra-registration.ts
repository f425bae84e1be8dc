/**
 * The Entra ID app registration Secrecy Guard needs, as one definition: the build writes it as Microsoft's app
 * manifest (`dist/entra/app-registration.json`), and `secrecy-guard entra check` compares a registration exported from
 * the portal against it. Without every part of it, the API answers 401 to every call and nested app authentication
 * fails quietly, so an agency can check its registration before the first user meets that.
 *
 * The file is written in the **Microsoft Graph app manifest format**: the format the Entra admin center's Manifest page
 * shows, uploads and downloads since it stopped accepting the Azure AD Graph format on 7 January 2025
 * (learn.microsoft.com/entra/identity-platform/azure-active-directory-graph-app-manifest-deprecation). There the
 * token version is `api.requestedAccessTokenVersion`; the legacy format's `accessTokenAcceptedVersion` is the same
 * setting (learn.microsoft.com/entra/identity-platform/reference-microsoft-graph-app-manifest, "api attribute").
 * The check reads both formats: agencies keep exports of either.
 *
 * Pure: no Node, DOM or network, so the build, the CLI and the tests share it.
 */

/** The API's delegated scope: the one Teams SSO and the add-in ask for, and the server requires in `scp`. */
export const API_SCOPE = {
  value: 'access_as_user',
  /** Fixed, so that re-importing the generated file keeps the scope (and the grants made to it) the same one. */
  id: 'c6cef652-96ac-4a15-a95e-9ad15647ff88',
} as const;

export interface AppRoleDefinition {
  readonly value: string;
  /** Fixed: assignments of users and groups to a role hang on its id, so it must not change between imports. */
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
}

/** App roles the server reads from the token's `roles` claim; assigned to users (or groups) in Enterprise applications. */
export const APP_ROLES: readonly AppRoleDefinition[] = [
  {
    value: 'Policy.Admin',
    id: 'f15b6395-e600-41a0-8804-ab3d2de06387',
    displayName: '政策管理者 Policy administrator',
    description: '設定本機關的郵件保密政策 / Sets the agency’s mail secrecy policy',
  },
  {
    value: 'Inspection.Read',
    id: '1c4a3ab7-9fd5-4361-abe0-a0d173a46fde',
    displayName: '政風人員 Ethics (政風) officer',
    description: '匯出稽核與查核資料 / Exports audit and inspection records',
  },
];

export interface PreAuthorizedClient {
  readonly appId: string;
  /** zh-TW, then English: the check names the client in both. */
  readonly zh: string;
  readonly en: string;
}

/**
 * Microsoft's own clients that get a token for our API without a consent prompt. Teams' SSO (`getAuthToken`) and
 * Office SSO (`Office.auth.getAccessToken`, `OfficeRuntime.auth` in the on-send script) request the token as one of
 * these, so a missing one fails sign-in on that client only.
 */
export const PRE_AUTHORIZED_CLIENTS: readonly PreAuthorizedClient[] = [
  // The next five: the client id table in "Configure your tab app in Microsoft Entra ID", section "To configure
  // authorized client application" (learn.microsoft.com/microsoftteams/platform/tabs/how-to/authentication/
  // tab-sso-register-aad). That table gives d3590ed6-… for both "Microsoft 365 mobile" and "Outlook desktop".
  { appId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264', zh: 'Teams 桌面版及行動版', en: 'Teams desktop and mobile' },
  { appId: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346', zh: 'Teams 網頁版', en: 'Teams on the web' },
  { appId: '4765445b-32c6-49b0-83e6-1d93765276ca', zh: 'Microsoft 365 網頁版', en: 'Microsoft 365 on the web' },
  { appId: '0ec893e0-5785-4de6-99da-4ed124e5296c', zh: 'Microsoft 365 桌面版', en: 'Microsoft 365 desktop' },
  {
    appId: 'd3590ed6-52b3-4102-aeff-aad2292ab01c',
    zh: 'Microsoft 365 行動版及 Outlook 桌面版',
    en: 'Microsoft 365 mobile and Outlook desktop',
  },
  // The same table: "Outlook web application" and "Outlook mobile application".
  { appId: 'bc59ab01-8403-45c6-8796-ac3ef710b3e3', zh: 'Outlook 網頁版', en: 'Outlook on the web' },
  { appId: '27922004-5251-4030-b22d-91ecd9a37ea4', zh: 'Outlook 行動版', en: 'Outlook mobile' },
  // "Register an Office Add-in that uses single sign-on (SSO) with the Microsoft identity platform", step "Add a client
  // application": ea5a67f6-… "pre-authorizes all Microsoft Office application endpoints"
  // (learn.microsoft.com/office/dev/add-ins/develop/register-sso-add-in-aad-v2). The add-in's Office SSO, its
  // fallback where nested app authentication is not offered, asks as this one on new Outlook and Outlook on Mac.
  {
    appId: 'ea5a67f6-b6f3-4338-b240-c655ddc3cc8e',
    zh: 'Microsoft Office（所有 Office 應用程式端點）',
    en: 'Microsoft Office (all Office application endpoints)',
  },
];

/** Microsoft Graph's application id, the `resourceAppId` of its permissions (the same in every cloud). */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/**
 * The one Microsoft Graph scope the server's on-behalf-of exchange asks for (src/server/graph.ts), to list a meeting
 * chat's members as the chair; the registration must request the same one.
 */
export const GRAPH_ON_BEHALF_OF_SCOPE = 'ChatMember.Read';

/**
 * The Microsoft Graph scopes of the server's second on-behalf-of exchange, to prefill the configuration page as the
 * chair: `Chat.ReadBasic` for `GET /chats/{id}` (the meeting chat's topic and `onlineMeetingInfo`: its organizer and
 * join URL; Graph "Get chat", least privileged delegated permission) and `OnlineMeetings.Read` for
 * `GET /me/onlineMeetings?$filter=JoinWebUrl eq '…'` (subject, start and end; Graph "Get onlineMeeting", delegated
 * only in the /me context). Asked apart from {@link GRAPH_ON_BEHALF_OF_SCOPE}, so a tenant that has not consented to
 * these still gets its invitee list.
 */
export const GRAPH_MEETING_DETAILS_SCOPES = ['Chat.ReadBasic', 'OnlineMeetings.Read'] as const;

export interface GraphPermission {
  readonly value: string;
  readonly id: string;
  /** Who uses it, for the person reading a failed check: zh-TW, then English. */
  readonly whyZh: string;
  readonly whyEn: string;
}

/**
 * Microsoft Graph delegated permissions the app really uses, with their ids from the Microsoft Graph permissions
 * reference (learn.microsoft.com/graph/permissions-reference, each permission's "Delegated" identifier):
 * - `openid` and `profile`: the scopes the add-in only manifest lists for Office SSO (manifest/app.ts `SSO_SCOPES`);
 *   the Office SSO registration guide requires `profile` always.
 * - `ChatMember.Read`: the scope of the server's on-behalf-of exchange for the invitees (src/server/graph.ts), to list
 *   a meeting chat's members as the chair.
 * - `Chat.ReadBasic` and `OnlineMeetings.Read`: the scopes of its exchange for the meeting's name, date and time, to
 *   prefill the configuration page ({@link GRAPH_MEETING_DETAILS_SCOPES}).
 * Nothing else: the server calls Graph for nothing else, and the pages call Graph not at all.
 */
export const GRAPH_DELEGATED_PERMISSIONS: readonly GraphPermission[] = [
  { value: 'openid', id: '37f7f235-527c-4136-accd-4a02d197296e', whyZh: 'Office 單一登入', whyEn: 'Office SSO' },
  { value: 'profile', id: '14dad69e-099b-42c9-810b-d002981feec1', whyZh: 'Office 單一登入', whyEn: 'Office SSO' },
  {
    value: GRAPH_ON_BEHALF_OF_SCOPE,
    id: 'c5a9e2b1-faf6-41d4-8875-d381aa549b24',
    whyZh: '讀取會議受邀者清單',
    whyEn: 'the meeting’s invitee list',
  },
  {
    value: GRAPH_MEETING_DETAILS_SCOPES[0],
    id: '9547fcb5-d03f-419d-9948-5928bbf71b0f',
    whyZh: '預先填入會議名稱',
    whyEn: 'prefilling the meeting’s name',
  },
  {
    value: GRAPH_MEETING_DETAILS_SCOPES[1],
    id: '9be106e1-f4e3-4df5-bdff-e4bc531cbe43',
    whyZh: '預先填入會議日期與時間',
    whyEn: 'prefilling the meeting’s date and time',
  },
];

export interface RegistrationTarget {
  /** `host[:port]` of PUBLIC_URL, as the manifests use it. */
  readonly host: string;
  readonly clientId: string;
}

/**
 * The Application ID URI: Teams requires `api://<the domain the pages are served from>/<client id>`, the same value
 * as the manifests' `webApplicationInfo.resource`.
 */
export const apiIdentifierUri = (host: string, clientId: string): string =>
  `api://${host.toLowerCase()}/${clientId.toLowerCase()}`;

/**
 * The SPA redirect that lets Teams, Outlook and Microsoft 365 broker tokens for the add-in through nested app
 * authentication: `brk-multihub://<origin>` with no path ("Enable SSO in an Office Add-in using nested app
 * authentication", learn.microsoft.com/office/dev/add-ins/develop/enable-nested-app-authentication-in-your-add-in;
 * Teams: learn.microsoft.com/microsoftteams/platform/concepts/authentication/nested-authentication).
 */
export const nestedAppAuthRedirect = (host: string): string => `brk-multihub://${host.toLowerCase()}`;

/**
 * The registration in the Microsoft Graph app manifest format, ready to paste into (or upload to) the app's Manifest
 * page. It has no web redirect URI: no part of the app signs in through a redirect to its own pages (Teams uses
 * `getAuthToken`, Outlook NAA or Office SSO, and the server's on-behalf-of exchange uses its client secret).
 */
export function appRegistration(target: RegistrationTarget): Record<string, unknown> {
  const clientId = target.clientId.toLowerCase();
  return {
    appId: clientId,
    displayName: 'Secrecy Guard',
    // One agency's tenant. A deployment that serves several agencies (AUTH_TENANT_IDS) uses AzureADMultipleOrgs.
    signInAudience: 'AzureADMyOrg',
    identifierUris: [apiIdentifierUri(target.host, clientId)],
    api: {
      requestedAccessTokenVersion: 2,
      oauth2PermissionScopes: [
        {
          adminConsentDescription:
            '讓 Teams 與 Outlook 以登入使用者身分呼叫 Secrecy Guard / Lets Teams and Outlook call Secrecy Guard as the signed-in user',
          adminConsentDisplayName: '以使用者身分存取 Secrecy Guard / Access Secrecy Guard as the user',
          id: API_SCOPE.id,
          isEnabled: true,
          type: 'User',
          userConsentDescription:
            '讓 Teams 與 Outlook 以您的身分呼叫 Secrecy Guard / Lets Teams and Outlook call Secrecy Guard as you',
          userConsentDisplayName: '以您的身分存取 Secrecy Guard / Access Secrecy Guard as you',
          value: API_SCOPE.value,
        },
      ],
      preAuthorizedApplications: PRE_AUTHORIZED_CLIENTS.map((c) => ({
        appId: c.appId,
        delegatedPermissionIds: [API_SCOPE.id],
      })),
    },
    appRoles: APP_ROLES.map((r) => ({
      allowedMemberTypes: ['User'],
      description: r.description,
      displayName: r.displayName,
      id: r.id,
      isEnabled: true,
      value: r.value,
    })),
    spa: { redirectUris: [nestedAppAuthRedirect(target.host)] },
    requiredResourceAccess: [
      {
        resourceAppId: MICROSOFT_GRAPH_APP_ID,
        resourceAccess: GRAPH_DELEGATED_PERMISSIONS.map((p) => ({ id: p.id, type: 'Scope' })),
      },
    ],
  };
}

export type ManifestFormat = 'microsoftGraph' | 'azureAdGraph';

/** One missing or wrong setting, named by a stable key (e.g. `preAuthorized:<appId>`), in zh-TW and English. */
export interface RegistrationProblem {
  readonly setting: string;
  readonly zh: string;
  readonly en: string;
}

export interface RegistrationCheck {
  readonly format: ManifestFormat;
  readonly problems: readonly RegistrationProblem[];
}

/** The document is not an app registration manifest in either format: nothing in it can be checked. */
export class RegistrationFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistrationFormatError';
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const lower = (s: unknown): string => (typeof s === 'string' ? s.trim().toLowerCase() : '');

/** Attributes only the Azure AD Graph format has (the deprecation article's table of renamed and moved attributes). */
const LEGACY_ONLY = [
  'accessTokenAcceptedVersion',
  'oauth2Permissions',
  'replyUrlsWithType',
  'preAuthorizedApplications',
];
/** Attributes both formats have, or only the Microsoft Graph one: one of them makes a document a registration. */
const REGISTRATION_KEYS = ['appId', 'identifierUris', 'api', 'spa', 'web', 'appRoles', 'requiredResourceAccess'];

/** The settings the check reads, the same whatever the format. */
interface RegistrationView {
  readonly format: ManifestFormat;
  readonly appId: unknown;
  readonly tokenVersion: unknown;
  readonly identifierUris: string[];
  readonly scopes: Json[];
  /** appId → permission ids. */
  readonly preAuthorized: Map<string, string[]>;
  readonly spaRedirects: string[];
  /** Redirect URIs registered under another platform (web, public client): the right URI in the wrong place. */
  readonly otherRedirects: string[];
  readonly appRoles: Json[];
  readonly requiredResourceAccess: Json[];
}

function readView(doc: unknown): RegistrationView {
  if (!isObject(doc)) {
    throw new RegistrationFormatError('不是 JSON 物件 / Not a JSON object: expected an app registration manifest');
  }
  const legacy = LEGACY_ONLY.some((k) => k in doc);
  if (!legacy && !REGISTRATION_KEYS.some((k) => k in doc)) {
    throw new RegistrationFormatError(
      '不是應用程式註冊的資訊清單（找不到 appId、identifierUris、api 等屬性） / ' +
        'Not an app registration manifest (no appId, identifierUris, api or similar attribute)',
    );
  }
  const preAuthorized = new Map<string, string[]>();
  if (legacy) {
    for (const p of objects(doc.preAuthorizedApplications)) {
      preAuthorized.set(lower(p.appId), strings(p.permissionIds).map(lower));
    }
    const replies = objects(doc.replyUrlsWithType);
    return {
      format: 'azureAdGraph',
      appId: doc.appId,
      tokenVersion: doc.accessTokenAcceptedVersion,
      identifierUris: strings(doc.identifierUris),
      scopes: objects(doc.oauth2Permissions),
      preAuthorized,
      spaRedirects: strings(replies.filter((r) => r.type === 'Spa').map((r) => r.url)),
      otherRedirects: [
        ...strings(replies.filter((r) => r.type !== 'Spa').map((r) => r.url)),
        ...strings(doc.replyUrls),
      ],
      appRoles: objects(doc.appRoles),
      requiredResourceAccess: objects(doc.requiredResourceAccess),
    };
  }
  const api = isObject(doc.api) ? doc.api : {};
  for (const p of objects(api.preAuthorizedApplications)) {
    // v1.0 names the list delegatedPermissionIds; the beta endpoint (and older exports) permissionIds.
    preAuthorized.set(lower(p.appId), [...strings(p.delegatedPermissionIds), ...strings(p.permissionIds)].map(lower));
  }
  const redirects = (key: string): string[] => (isObject(doc[key]) ? strings((doc[key] as Json).redirectUris) : []);
  return {
    format: 'microsoftGraph',
    appId: doc.appId,
    tokenVersion: api.requestedAccessTokenVersion,
    identifierUris: strings(doc.identifierUris),
    scopes: objects(api.oauth2PermissionScopes),
    preAuthorized,
    spaRedirects: redirects('spa'),
    otherRedirects: [...redirects('web'), ...redirects('publicClient')],
    appRoles: objects(doc.appRoles),
    requiredResourceAccess: objects(doc.requiredResourceAccess),
  };
}

/**
 * Compares an exported registration with what Secrecy Guard needs for this PUBLIC_URL host and client id.
 * @throws {RegistrationFormatError} when the document is not an app registration manifest at all.
 */
export function checkRegistration(doc: unknown, target: RegistrationTarget): RegistrationCheck {
  const view = readView(doc);
  const legacy = view.format === 'azureAdGraph';
  const problems: RegistrationProblem[] = [];
  const problem = (setting: string, zh: string, en: string): void => {
    problems.push({ setting, zh, en });
  };
  const clientId = target.clientId.toLowerCase();

  if (view.appId !== undefined && lower(view.appId) !== clientId) {
    problem(
      'appId',
      `此註冊的應用程式（用戶端）識別碼是 ${String(view.appId)}，不是設定的 ${clientId}：可能匯出了另一個應用程式`,
      `This registration's application (client) id is ${String(view.appId)}, not the configured ${clientId}: ` +
        'the export may be of another app',
    );
  }

  const versionField = legacy ? 'accessTokenAcceptedVersion' : 'api.requestedAccessTokenVersion';
  if (view.tokenVersion !== 2) {
    const unset = view.tokenVersion === undefined || view.tokenVersion === null;
    const found = JSON.stringify(view.tokenVersion);
    problem(
      'accessTokenVersion',
      `存取權杖版本不是 2（目前：${unset ? '未設定' : found}）：請在「資訊清單」將 ${versionField} 設為 2，否則 Entra 發出 v1 權杖，伺服器一律拒絕`,
      `The access token version is not 2 (found: ${unset ? 'unset' : found}): set ${versionField} to 2 in the Manifest, or Entra ` +
        'issues v1 tokens, which the server refuses',
    );
  }

  const uri = apiIdentifierUri(target.host, clientId);
  if (!view.identifierUris.some((u) => lower(u) === uri)) {
    const found = view.identifierUris.join(', ');
    problem(
      'identifierUri',
      `缺少應用程式識別碼 URI ${uri}（「公開 API」；目前：${found || '無'}）`,
      `The Application ID URI ${uri} is missing (Expose an API; found: ${found || 'none'})`,
    );
  }

  const scope = view.scopes.find((s) => s.value === API_SCOPE.value);
  if (!scope) {
    problem(
      'scope',
      `缺少委派範圍 ${API_SCOPE.value}（「公開 API」→「新增範圍」）`,
      `The delegated scope ${API_SCOPE.value} is missing (Expose an API > Add a scope)`,
    );
  } else if (scope.isEnabled !== true) {
    problem(
      'scope',
      `委派範圍 ${API_SCOPE.value} 已停用：請啟用`,
      `The delegated scope ${API_SCOPE.value} is disabled: enable it`,
    );
  }
  // Pre-authorization names the scope by its id, whatever id the portal gave it.
  const scopeId = scope ? lower(scope.id) : lower(API_SCOPE.id);
  for (const client of PRE_AUTHORIZED_CLIENTS) {
    const granted = view.preAuthorized.get(client.appId);
    if (!granted?.includes(scopeId)) {
      problem(
        `preAuthorized:${client.appId}`,
        `${client.zh}（${client.appId}）未預先授權使用 ${API_SCOPE.value}（「公開 API」→「授權的用戶端應用程式」）`,
        `${client.en} (${client.appId}) is not pre-authorized for ${API_SCOPE.value} ` +
          '(Expose an API > Authorized client applications)',
      );
    }
  }

  const redirect = nestedAppAuthRedirect(target.host);
  if (!view.spaRedirects.some((u) => lower(u) === redirect)) {
    const elsewhere = view.otherRedirects.some((u) => lower(u) === redirect);
    problem(
      'spaRedirect',
      elsewhere
        ? `重新導向 URI ${redirect} 登錄在單頁應用程式 (SPA) 以外的平台：巢狀應用程式驗證需要 SPA 平台（「驗證」）`
        : `缺少單頁應用程式 (SPA) 重新導向 URI ${redirect}：巢狀應用程式驗證需要它（「驗證」→「新增平台」→「單頁應用程式」）`,
      elsewhere
        ? `The redirect URI ${redirect} is registered under another platform than single-page application: nested ` +
            'app authentication needs it as SPA (Authentication)'
        : `The single-page application (SPA) redirect URI ${redirect} is missing: nested app authentication needs it ` +
            '(Authentication > Add a platform > Single-page application)',
    );
  }

  for (const role of APP_ROLES) {
    const found = view.appRoles.find((r) => r.value === role.value);
    if (!found) {
      problem(
        `appRole:${role.value}`,
        `缺少應用程式角色 ${role.value}（「應用程式角色」）`,
        `The app role ${role.value} is missing (App roles)`,
      );
    } else if (found.isEnabled !== true || !strings(found.allowedMemberTypes).includes('User')) {
      problem(
        `appRole:${role.value}`,
        `應用程式角色 ${role.value} 未啟用或不能指派給使用者／群組：請啟用並允許「使用者/群組」`,
        `The app role ${role.value} is disabled or cannot be assigned to users and groups: enable it for Users/Groups`,
      );
    }
  }

  const graph = view.requiredResourceAccess.find((r) => lower(r.resourceAppId) === MICROSOFT_GRAPH_APP_ID);
  const graphScopes = objects(graph?.resourceAccess)
    .filter((a) => a.type === 'Scope')
    .map((a) => lower(a.id));
  for (const permission of GRAPH_DELEGATED_PERMISSIONS) {
    if (!graphScopes.includes(permission.id)) {
      problem(
        `graphPermission:${permission.value}`,
        `未要求 Microsoft Graph 委派權限 ${permission.value}（${permission.id}，用於${permission.whyZh}；「API 權限」）`,
        `The Microsoft Graph delegated permission ${permission.value} (${permission.id}, for ${permission.whyEn}) is ` +
          'not requested (API permissions)',
      );
    }
  }
  return { format: view.format, problems };
}
