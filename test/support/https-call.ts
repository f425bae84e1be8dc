import { Agent, request } from 'node:https';

/** For the development certificate the tests' servers generate. Destroy it after the suite (`insecureAgent.destroy()`). */
export const insecureAgent = new Agent({ rejectUnauthorized: false });

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTPS request to a test server: an optional bearer token, JSON body and Host header; a failed connection rejects. */
export function httpsCall(
  url: string,
  options: { method?: string; token?: string; body?: unknown; host?: string } = {},
  agent: Agent = insecureAgent,
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        agent,
        method: options.method ?? 'GET',
        headers: {
          ...(options.host ? { host: options.host } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
