/**
 * Development certificates for https://localhost: Outlook and Teams load add-in pages only over HTTPS. Generated once
 * into DATA_DIR/dev-tls and reused; a real deployment sets TLS_CERT and TLS_KEY.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import selfsigned from 'selfsigned';

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  readonly generated: boolean;
}

export async function devCertificate(dataDir: string, host: string): Promise<TlsMaterial> {
  const dir = path.join(dataDir, 'dev-tls');
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), generated: false };
  }
  const pems = await selfsigned.generate([{ name: 'commonName', value: host }], {
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: host },
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  return { cert: pems.cert, key: pems.private, generated: true };
}

export function tlsFromFiles(certPath: string, keyPath: string): TlsMaterial {
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), generated: false };
}
