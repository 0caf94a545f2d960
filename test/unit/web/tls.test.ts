/**
 * The web view over TLS (src/web/tls.ts, server.ts): a self-signed
 * certificate made by openssl for the bound address, served with the
 * fingerprint printed; the user's certificate files checked before use; and
 * where a CAK may come from: loopback or TLS, never plain HTTP from another
 * machine (the page is told why).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { LabState } from '../../../src/lab/index.js';
import { WebError, cakChannel, selfSignedTls, startWebView, subjectAltName, tlsFromFiles, type RunningWebView, type WebTls } from '../../../src/web/index.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('dxlab-webtls-');
let tls: WebTls;
let view: RunningWebView;
const state = { lab: 'tlstest', captureDir: dir, nodes: [], links: [] } as unknown as LabState;

/** One HTTPS request that trusts nothing but records the server's certificate. */
function httpsGet(url: string, path: string, until: RegExp): Promise<{ status: number; text: string; cert: Buffer }> {
  return new Promise((resolve, reject) => {
    const r = request(new URL(path, url), { rejectUnauthorized: false, agent: false }, (res) => {
      const cert = (res.socket as TLSSocket).getPeerCertificate().raw;
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
        if (until.test(text)) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, text, cert });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, cert }));
    });
    r.on('error', reject);
    r.end();
  });
}

beforeAll(async () => {
  tls = selfSignedTls('127.0.0.1');
  view = await startWebView({ lab: 'tlstest', host: '127.0.0.1', port: 0, pollMs: 1000, token: 'cd'.repeat(16), tls, state: () => state, log: () => undefined });
}, 30_000);
afterAll(async () => view?.stop());

describe('web view over TLS', () => {
  it('makes a self-signed certificate for the bound address and localhost, its fingerprint the certificate\'s SHA-256', () => {
    const x = new X509Certificate(tls.cert);
    expect(x.subjectAltName).toMatch(/DNS:localhost/);
    expect(x.subjectAltName).toMatch(/IP Address:127\.0\.0\.1/);
    expect(x.checkPrivateKey(createPrivateKey(tls.key))).toBe(true);
    const sha = createHash('sha256').update(x.raw).digest('hex').toUpperCase().match(/../g)!.join(':');
    expect(tls.fingerprint).toBe(sha);
    expect(subjectAltName('192.0.2.7')).toBe('DNS:localhost,IP:127.0.0.1,IP:::1,IP:192.0.2.7');
    expect(subjectAltName('lab.example.org')).toContain('DNS:lab.example.org');
    expect(subjectAltName('0.0.0.0')).not.toContain('0.0.0.0');
  });

  it('serves HTTPS with that certificate; the URL says https; the page is told a CAK may come over TLS', async () => {
    expect(view.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const page = await httpsGet(view.url, '/', /<\/html>/);
    expect(page.status).toBe(200);
    expect(page.cert.equals(new X509Certificate(tls.cert).raw)).toBe(true);
    const hello = await httpsGet(view.url, '/events', /event: hello\ndata: .*\n\n/);
    expect(hello.text).toMatch(/"cak":\{"allowed":true,"why":"over TLS"\}/);
  });

  it('takes a CAK over loopback or TLS only: plain HTTP from another machine is refused with the reason', () => {
    const req = (remoteAddress: string, encrypted?: boolean) => ({ socket: { remoteAddress, ...(encrypted ? { encrypted } : {}) } }) as unknown as IncomingMessage;
    expect(cakChannel(req('127.0.0.1')).allowed).toBe(true);
    expect(cakChannel(req('::ffff:127.0.0.1')).allowed).toBe(true);
    expect(cakChannel(req('192.0.2.44', true))).toEqual({ allowed: true, why: 'over TLS' });
    const plain = cakChannel(req('192.0.2.44'));
    expect(plain.allowed).toBe(false);
    expect(plain.why).toMatch(/plain HTTP from another machine.*in the clear/);
  });

  it('checks the user\'s certificate files, naming the option: missing, not PEM, not a pair', () => {
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(certFile, tls.cert);
    writeFileSync(keyFile, tls.key);
    expect(tlsFromFiles(certFile, keyFile).fingerprint).toBe(tls.fingerprint);
    const fails = (c: string, k: string) => {
      try {
        tlsFromFiles(c, k);
      } catch (e) {
        expect(e).toBeInstanceOf(WebError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(fails(join(dir, 'nope.pem'), keyFile)).toMatch(/^--tls-cert .*nope\.pem: ENOENT/);
    expect(fails(join(dir, '../../../../etc/passwd'), keyFile)).toMatch(/^--tls-cert .*: not a PEM certificate/);
    expect(fails(certFile, certFile)).toMatch(/^--tls-key .*: not a PEM private key/);
    const other = selfSignedTls('127.0.0.1');
    writeFileSync(join(dir, 'other-key.pem'), other.key);
    expect(fails(certFile, join(dir, 'other-key.pem'))).toMatch(/^--tls-key .*other-key\.pem: not the key of --tls-cert/);
  }, 30_000);
});
