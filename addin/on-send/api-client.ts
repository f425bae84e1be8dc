/**
 * The API client of the event runtime: our server at the build's absolute URL, with SSO tokens from
 * `OfficeRuntime.auth` and the runtime's own `fetch`.
 */
import { type ApiClient, createApiClient } from '../../src/shared/api';
import { getAccessToken } from '../office';
import { API_TIMEOUT_MS, CLIENT_NAME, SERVER_URL } from './config';

let client: ApiClient | null = null;

export function apiClient(): ApiClient {
  if (!client) {
    client = createApiClient({
      baseUrl: SERVER_URL,
      // Office caches and refreshes SSO tokens itself; there is no way to ask it for a fresh one.
      getToken: () => getAccessToken(),
      fetch: (url, init) => fetch(url, init),
      client: CLIENT_NAME,
      timeoutMs: API_TIMEOUT_MS,
    });
  }
  return client;
}
