import { request } from 'node:https';
import { expect, it } from 'vitest';
import { startServer } from '../../src/server/app.ts';
import { selfSignedCertificate } from '../fixtures/certificate.ts';
import { describeIfAvailable, OPENSSL_MISSING } from '../fixtures/needs.ts';

describeIfAvailable(OPENSSL_MISSING, 'HTTPS', () => {
  it('serves the API over TLS with the given certificate', async () => {
    const tls = selfSignedCertificate('localhost', 'IP:127.0.0.1', 1);
    const server = await startServer({ port: 0, dataDir: 'memory://', logLevel: 'silent', tls });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const { status, body, hsts } = await new Promise<{ status: number; body: string; hsts: unknown }>((resolve, reject) => {
        const req = request(`${server.url}/api/v1/stock`, { ca: tls.cert }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, hsts: res.headers['strict-transport-security'] }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(401);
      // HSTS only under TLS (the plain-HTTP answer has none: adversarial-http).
      expect(hsts).toBe('max-age=31536000; includeSubDomains');
      expect(JSON.parse(body)).toMatchObject({ error: 'unauthorized' });
    } finally {
      await server.close();
    }
  });
});
