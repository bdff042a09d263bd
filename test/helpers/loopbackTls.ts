import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A self-signed certificate for 127.0.0.1 and localhost (EC P-256, valid until 2126), made once with
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
 *     -keyout loopback-key.pem -out loopback-cert.pem -subj "/CN=127.0.0.1 test marketplace" \
 *     -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -addext "basicConstraints=critical,CA:FALSE" \
 *     -addext "extendedKeyUsage=serverAuth"
 * Test-only: the private key is public, and nothing trusts the certificate unless told to.
 */
export const LOOPBACK_TLS: { readonly key: string; readonly cert: string } = {
  key: readFileSync(join(__dirname, 'tls', 'loopback-key.pem'), 'utf8'),
  cert: readFileSync(join(__dirname, 'tls', 'loopback-cert.pem'), 'utf8'),
};
