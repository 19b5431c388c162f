/** A failure to connect to MySQL said as its cause and the option that mends it, in one line. */

const TLS_VERIFY_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_HAS_EXPIRED', 'CERT_UNTRUSTED',
]);

/**
 * The line for an error of connecting to MySQL (wrong password, TLS refused or required, a
 * certificate not verified), or undefined when it is not one. Never holds the password: the
 * server's messages name the user only.
 */
export function explainConnectionError(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    const message = cause.message.split('\n')[0] ?? '';
    if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
      return `Cannot connect to MySQL: ${message} (check the user and the password; a server with require_secure_transport=ON also answers so to a connection without TLS: add ?ssl-mode=VERIFY_CA&ssl-ca=FILE)`;
    }
    if (code === 'ER_SECURE_TRANSPORT_REQUIRED') return `Cannot connect to MySQL: the server requires TLS (add ?ssl-mode=VERIFY_CA&ssl-ca=FILE to --db): ${message}`;
    if (code === 'HANDSHAKE_NO_SSL_SUPPORT') return 'Cannot connect to MySQL over TLS: the server does not offer TLS (ssl-mode=DISABLED, or enable TLS on the server)';
    if (code === 'HANDSHAKE_SSL_ERROR' && /certificate|verify/i.test(message)) return `Cannot connect to MySQL over TLS: the server's certificate is not verified: ${message} (check ssl-ca: the CA that signed it)`;
    if (typeof code === 'string' && TLS_VERIFY_CODES.has(code)) return `Cannot connect to MySQL over TLS: the server's certificate is not verified: ${message} (check ssl-ca: the CA that signed it)`;
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `Cannot connect to MySQL over TLS: ${message} (ssl-mode=VERIFY_IDENTITY checks the host name; VERIFY_CA does not)`;
  }
  return undefined;
}
