/** A self-signed certificate for 127.0.0.1, made with openssl at run time, for the TLS rows. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsFiles } from './server-process.js';

/** Write a fresh key and certificate (valid for 127.0.0.1 and localhost) into `dir`, or reuse the ones there. */
export function makeSelfSignedCertificate(dir: string): TlsFiles {
  const keyPath = join(dir, 'tls-key.pem');
  const certPath = join(dir, 'tls-cert.pem');
  if (existsSync(certPath) && existsSync(keyPath)) return { keyPath, certPath, certPem: readFileSync(certPath, 'utf8') };
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { keyPath, certPath, certPem: readFileSync(certPath, 'utf8') };
}
