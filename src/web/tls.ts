/**
 * The web view's TLS certificate: the user's (`--tls-cert FILE --tls-key
 * FILE`, PEM), or one made at start (`--tls`), self-signed by the `openssl`
 * command (Debian's openssl package), for the bound address and localhost,
 * valid 30 days. A browser warns about a self-signed certificate; the
 * trainer compares the SHA-256 fingerprint it shows with the one printed at
 * start (`openssl x509 -fingerprint -sha256` prints the same colon-separated
 * hex: node:crypto's X509Certificate.fingerprint256).
 *
 * The private key of a made certificate lives in memory only: openssl writes
 * it in a folder of mode 0700, which is removed as soon as it is read.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebError } from './errors.js';

export interface WebTls {
  cert: Buffer;
  key: Buffer;
  /** SHA-256 of the certificate (DER), as AA:BB:... */
  fingerprint: string;
}

/** Days a made certificate is valid: one course. */
const SELF_SIGNED_DAYS = 30;

/**
 * The subjectAltName of a made certificate (RFC 5280 4.2.1.6): the bound
 * address as an IP entry (or a DNS one for a name), and localhost.
 */
export function subjectAltName(host: string): string {
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  const h = host.replace(/^\[|\]$/g, '');
  if (h !== '0.0.0.0' && h !== '::') names.add(isIP(h) ? `IP:${h}` : `DNS:${h}`);
  return [...names].join(',');
}

/**
 * The user's certificate and key (PEM files), checked to be a pair.
 * @throws WebError('badRequest') naming the option whose file is missing or not PEM, or when the key is not the certificate's
 */
export function tlsFromFiles(certFile: string, keyFile: string): WebTls {
  const read = (file: string, option: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new WebError('badRequest', `${option} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const cert = read(certFile, '--tls-cert');
  const key = read(keyFile, '--tls-key');
  let x: X509Certificate;
  try {
    x = new X509Certificate(cert);
  } catch {
    throw new WebError('badRequest', `--tls-cert ${certFile}: not a PEM certificate`);
  }
  let matches: boolean;
  try {
    matches = x.checkPrivateKey(createPrivateKey(key));
  } catch {
    throw new WebError('badRequest', `--tls-key ${keyFile}: not a PEM private key`);
  }
  if (!matches) throw new WebError('badRequest', `--tls-key ${keyFile}: not the key of --tls-cert ${certFile}`);
  return { cert, key, fingerprint: x.fingerprint256 };
}

/**
 * A self-signed certificate (EC P-256) made now by `openssl req -x509`.
 * @throws WebError('failed') when openssl is missing or fails
 */
export function selfSignedTls(host: string): WebTls {
  const dir = mkdtempSync(join(tmpdir(), 'dxlab-web-tls-'));
  try {
    const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    try {
      // openssl-req(1): -x509 makes a self-signed certificate, -noenc leaves the key unencrypted, -addext adds the SAN.
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-noenc', '-keyout', keyFile, '-out', certFile, '-days', String(SELF_SIGNED_DAYS), '-subj', '/CN=dxlab web view', '-addext', `subjectAltName=${subjectAltName(host)}`], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'openssl is not installed (apt-get install openssl)' : String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim();
      throw new WebError('failed', `--tls: could not make a self-signed certificate: ${why}`, { cause: e });
    }
    const cert = readFileSync(certFile);
    return { cert, key: readFileSync(keyFile), fingerprint: new X509Certificate(cert).fingerprint256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
