// Certificates and secrets of the local stack's secured services, made with openssl at stack up
// (kept under .stack/tls, reused while they are there): one CA signs the Kafka broker's, the TLS
// MariaDB's and a client's certificate; a second CA that signed nothing, for "wrong CA" specs.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { STACK_DIR, StackError, requireCommand } from './util.ts';

/** Where the stack keeps certificates, keys and passwords. */
export const TLS_DIR = path.join(STACK_DIR, 'tls');

/** Files of the stack's TLS material, all PEM. */
export const tlsPaths = {
  caKey: path.join(TLS_DIR, 'ca.key'),
  ca: path.join(TLS_DIR, 'ca.pem'),
  otherCaKey: path.join(TLS_DIR, 'other-ca.key'),
  otherCa: path.join(TLS_DIR, 'other-ca.pem'),
  brokerKey: path.join(TLS_DIR, 'broker.key'),
  brokerCert: path.join(TLS_DIR, 'broker.pem'),
  /** Key and certificate in one file: a Kafka PEM keystore. */
  brokerKeystore: path.join(TLS_DIR, 'broker-keystore.pem'),
  mariadbKey: path.join(TLS_DIR, 'mariadb.key'),
  mariadbCert: path.join(TLS_DIR, 'mariadb.pem'),
  clientKey: path.join(TLS_DIR, 'client.key'),
  clientCert: path.join(TLS_DIR, 'client.pem'),
} as const;

const DAYS = '825';
// Every server is reached as 127.0.0.1 or localhost: both are in the certificates, so that
// hostname verification (librdkafka's default, ssl-mode=VERIFY_IDENTITY) passes.
const SERVER_NAMES = 'subjectAltName=IP:127.0.0.1,DNS:localhost';

function openssl(...args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    const why = result.error?.message ?? (result.stderr.trim().split('\n').at(-1) || `exit ${result.status}`);
    throw new StackError(`openssl ${args[0]} failed: ${why}`);
  }
}

function makeCa(key: string, cert: string, name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', DAYS, '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

function makeSigned(key: string, cert: string, name: string, extensions: string[]): void {
  const request = `${cert}.csr`;
  const extFile = `${cert}.ext`;
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', request, '-subj', `/CN=${name}`);
  fs.writeFileSync(extFile, `${extensions.join('\n')}\n`);
  openssl('x509', '-req', '-in', request, '-CA', tlsPaths.ca, '-CAkey', tlsPaths.caKey, '-CAcreateserial', '-out', cert, '-days', DAYS, '-extfile', extFile);
  fs.rmSync(request);
  fs.rmSync(extFile);
}

/** Makes the CA and the certificates unless they are all there; returns whether it made them. */
export function ensureCertificates(): boolean {
  if (Object.values(tlsPaths).every((file) => fs.existsSync(file))) return false;
  requireCommand('openssl', ['version'], 'openssl makes the certificates of the secured listeners (apt-get install -y openssl)');
  fs.rmSync(TLS_DIR, { recursive: true, force: true });
  fs.mkdirSync(TLS_DIR, { recursive: true, mode: 0o700 });
  makeCa(tlsPaths.caKey, tlsPaths.ca, 'tradeflow local stack CA');
  makeCa(tlsPaths.otherCaKey, tlsPaths.otherCa, 'a CA that signed nothing of this stack');
  const server = [SERVER_NAMES, 'extendedKeyUsage=serverAuth', 'keyUsage=critical,digitalSignature,keyEncipherment'];
  makeSigned(tlsPaths.brokerKey, tlsPaths.brokerCert, 'localhost', server);
  makeSigned(tlsPaths.mariadbKey, tlsPaths.mariadbCert, 'localhost', server);
  makeSigned(tlsPaths.clientKey, tlsPaths.clientCert, 'tradeflow-client', ['extendedKeyUsage=clientAuth', 'keyUsage=critical,digitalSignature']);
  // openssl writes PKCS#8 keys ("BEGIN PRIVATE KEY"), the form a Kafka PEM keystore reads.
  fs.writeFileSync(tlsPaths.brokerKeystore, fs.readFileSync(tlsPaths.brokerKey, 'utf8') + fs.readFileSync(tlsPaths.brokerCert, 'utf8'));
  for (const file of Object.values(tlsPaths)) fs.chmodSync(file, 0o600);
  return true;
}

/** A password kept in `file` (made, random, the first time); the stack's users are created with it. */
export function stackPassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const password = randomBytes(18).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}
