/** Scraping agents over TLS: CA verification, mutual TLS, and the explicit insecure flag. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentPageConsumer } from '../../exporter/cilium/consumers';
import { ScrapeClient } from '../../exporter/scrape/client';
import { describeWith } from '../support/tools';

const PAGE = '# TYPE cilium_endpoint gauge\ncilium_endpoint 4\n';

describeWith([{ binary: 'openssl' }], 'scraping over TLS', () => {
  let dir: string;
  let server: Server;
  let url: string;
  const pem = (name: string) => readFileSync(join(dir, name));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cs-tls-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '1',
      '-subj',
      '/CN=test CA'
    );
    for (const who of ['server', 'client']) {
      ssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${who}.key`,
        '-out',
        `${who}.csr`,
        '-subj',
        `/CN=${who === 'server' ? '127.0.0.1' : 'ciliumscope'}`
      );
      require('node:fs').writeFileSync(
        join(dir, `${who}.ext`),
        who === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n'
      );
      ssl(
        'x509',
        '-req',
        '-in',
        `${who}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${who}.pem`,
        '-days',
        '1',
        '-extfile',
        `${who}.ext`
      );
    }
    server = createServer(
      {
        key: pem('server.key'),
        cert: pem('server.pem'),
        ca: pem('ca.pem'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (_req, res) => res.end(PAGE)
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async (tls: ConstructorParameters<typeof ScrapeClient>[0]['tls']) => {
    const client = new ScrapeClient({ timeoutMs: 2000, maxBodyBytes: 1 << 20, tls });
    try {
      return await client.scrape(url, agentPageConsumer);
    } finally {
      await client.close();
    }
  };

  test('verifies the server against the CA and presents the client certificate', async () => {
    const r = await scrape({ ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client.key') });
    expect(r.ok && r.value.endpoints).toBe(4);
  });

  test('an unknown CA is refused, with a message', async () => {
    const r = await scrape({ cert: pem('client.pem'), key: pem('client.key') });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.kind).toBe('tls');
    expect(!r.ok && r.error).toMatch(/^TLS handshake failed: .*certificate.*\(see --tls-ca-file/i);
  });

  test('without a client certificate the agent refuses mutual TLS', async () => {
    const r = await scrape({ ca: pem('ca.pem') });
    expect(r.ok).toBe(false);
  });

  test('insecure skip-verify works only when asked for', async () => {
    const r = await scrape({ cert: pem('client.pem'), key: pem('client.key'), insecureSkipVerify: true });
    expect(r.ok && r.value.endpoints).toBe(4);
  });
});
