// hive-driver over TLS against the kitsune-server gateway: hive-driver's own TLS transport
// (Node's tls, checking the certificate against our test CA) with SASL PLAIN inside; a plain
// hive-driver on the TLS port is told to use TLS; client certificates when the server asks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import hive from 'hive-driver';

import { HiveClient, HiveDriver, HiveUtils, T, TCLIService, openSession, query, startGateway, withTimeout } from './lib/harness.mjs';

const { auth, connections } = hive;
const PASSWORD = 'pw-HdTls-77b1';

// A CA, a server certificate for 127.0.0.1 signed by it, and a client certificate.
async function makePki() {
  const dir = await mkdtemp(join(tmpdir(), 'kitsune-hd-tls-'));
  const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Kitsune hive-driver test CA');
  for (const [name, subject, ext] of [
    ['server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'],
    ['client', '/CN=alice', 'extendedKeyUsage=clientAuth\n'],
  ]) {
    await writeFile(join(dir, `${name}.ext`), ext);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
  }
  const read = (f) => readFileSync(join(dir, f));
  return { dir, ca: read('ca.pem'), cert: read('client.pem'), key: read('client.key') };
}

// hive-driver over TcpConnection; `tls` holds Node tls options, or is null for a plain socket.
async function connectTls(gateway, tls) {
  const client = new HiveClient(TCLIService, T);
  const events = [];
  client.on('error', (e) => events.push(e));
  const options = tls ? { ssl: true, rejectUnauthorized: true, servername: 'localhost', ...tls } : {};
  await withTimeout(
    client.connect({ host: gateway.host, port: gateway.port, options }, new connections.TcpConnection(), new auth.PlainTcpAuthentication({ username: 'alice', password: PASSWORD })),
    10000,
    'connect',
  );
  return { client, driver: new HiveDriver(T, client.getClient()), events, utils: new HiveUtils(T) };
}

describe('hive-driver over TLS', () => {
  let pki;
  let gateway;
  before(async () => {
    pki = await makePki();
    gateway = await startGateway({
      conf: {
        'kyuubi.frontend.thrift.binary.ssl.enabled': 'true',
        'kitsune.frontend.ssl.certificate.path': join(pki.dir, 'server.pem'),
        'kitsune.frontend.ssl.private.key.path': join(pki.dir, 'server.key'),
      },
    });
  });
  after(async () => {
    if (gateway) {
      assert.ok(!gateway.log().includes(PASSWORD), 'the password is in the gateway log');
      assert.deepEqual(await gateway.stop(), { code: 0, signal: null });
    }
    if (pki) await rm(pki.dir, { recursive: true, force: true });
  });

  it('logs in over TLS, checking the server certificate, and runs SQL', async () => {
    const conn = await connectTls(gateway, { ca: pki.ca });
    try {
      const { session } = await openSession(conn);
      const rows = await query(conn, session, "SELECT 'over tls' AS via, 6 * 7 AS answer");
      assert.deepEqual(rows, [{ via: 'over tls', answer: 42 }]);
      await session.close();
    } finally {
      conn.client.close();
    }
  });

  it('refuses a server whose certificate it cannot check', async () => {
    await assert.rejects(connectTls(gateway, { ca: pki.cert }), /certificate|self.signed|unable to verify/i);
  });

  it('a plain hive-driver on the TLS port is told to use TLS', async () => {
    await assert.rejects(connectTls(gateway, null), /this port requires TLS/);
    await gateway.waitForLog(/where a TLS handshake was expected/);
  });
});

describe('hive-driver with a client certificate', () => {
  let pki;
  let gateway;
  before(async () => {
    pki = await makePki();
    gateway = await startGateway({
      conf: {
        'kyuubi.frontend.thrift.binary.ssl.enabled': 'true',
        'kitsune.frontend.ssl.certificate.path': join(pki.dir, 'server.pem'),
        'kitsune.frontend.ssl.private.key.path': join(pki.dir, 'server.key'),
        'kitsune.frontend.ssl.client.ca.path': join(pki.dir, 'ca.pem'),
      },
    });
  });
  after(async () => {
    if (gateway) assert.deepEqual(await gateway.stop(), { code: 0, signal: null });
    if (pki) await rm(pki.dir, { recursive: true, force: true });
  });

  it('logs in with a certificate the server trusts', async () => {
    const conn = await connectTls(gateway, { ca: pki.ca, cert: pki.cert, key: pki.key });
    try {
      const { session } = await openSession(conn);
      assert.deepEqual(await query(conn, session, 'SELECT 1 AS one'), [{ one: 1 }]);
      await session.close();
    } finally {
      conn.client.close();
    }
  });

  it('is refused without one', async () => {
    await assert.rejects(async () => {
      const conn = await connectTls(gateway, { ca: pki.ca });
      try {
        await openSession(conn);
      } finally {
        conn.client.close();
      }
    });
    await gateway.waitForLog(/TLS handshake failed: .*certificate/);
  });
});
