// Negotiate (SPNEGO) on the HTTP frontends against a real MIT KDC: hive-driver's
// KerberosHttpAuthentication over Thrift HTTP, tokens from the npm kerberos module sent with
// fetch, and curl --negotiate against the REST API.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import kerberos from 'kerberos';

import { HiveClient, HiveDriver, HiveUtils, T, TCLIService, auth, connections, openSession, query, startGateway, withTimeout } from './lib/harness.mjs';
import { startKdc } from './lib/kdc.mjs';

const ALICE_PASSWORD = 'alice-Spn-3go-Kpw';

// A first SPNEGO token for `service`@localhost from the ticket cache in KRB5CCNAME.
async function spnegoToken(service = 'HTTP') {
  const client = await kerberos.initializeClient(`${service}@localhost`, { mechOID: kerberos.GSS_MECH_OID_SPNEGO });
  return client.step('');
}

// OpenSession (protocol V10) as raw Thrift bytes, so that the test sets the headers itself.
function openSessionBody() {
  const name = Buffer.from('OpenSession');
  const head = Buffer.alloc(4 + 4 + name.length + 4);
  head.writeUInt32BE(0x80010001, 0);
  head.writeInt32BE(name.length, 4);
  name.copy(head, 8);
  head.writeInt32BE(1, 8 + name.length);
  const args = Buffer.from([0x0c, 0x00, 0x01, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00]);
  return Buffer.concat([head, args]);
}

function curl(args, env) {
  return new Promise((resolve) => {
    execFile('curl', args, { env, timeout: 20000 }, (error, stdout, stderr) => resolve({ code: error?.code ?? 0, stdout, stderr }));
  });
}

describe('Negotiate (SPNEGO) over HTTP with a real KDC', () => {
  let kdc;
  let gateway;
  let aliceCache;

  before(async () => {
    kdc = await startKdc();
    await kdc.addUser('alice', ALICE_PASSWORD);
    await kdc.addService('HTTP/localhost');
    await kdc.addService('hive/localhost');
    await kdc.exportKeytab('HTTP/localhost', `${kdc.dir}/http.keytab`);
    await kdc.exportKeytab('hive/localhost', `${kdc.dir}/hive.keytab`);
    aliceCache = kdc.newCcache();
    await kdc.kinit('alice', ALICE_PASSWORD, aliceCache);
    process.env.KRB5_CONFIG = kdc.krb5Conf;
    process.env.KRB5CCNAME = aliceCache;
    gateway = await startGateway({
      auth: 'KERBEROS',
      conf: {
        'kyuubi.frontend.protocols': 'THRIFT_BINARY,THRIFT_HTTP,REST',
        'kyuubi.kinit.principal': `hive/localhost@${kdc.realm}`,
        'kyuubi.kinit.keytab': `${kdc.dir}/hive.keytab`,
        'kyuubi.spnego.principal': `HTTP/localhost@${kdc.realm}`,
        'kyuubi.spnego.keytab': `${kdc.dir}/http.keytab`,
      },
      env: { KRB5_CONFIG: kdc.krb5Conf },
    });
    assert.ok(gateway.http && gateway.restUrl, `the gateway printed no HTTP addresses:\n${gateway.log()}`);
  });

  after(async () => {
    if (gateway) {
      assert.ok(!gateway.log().includes(ALICE_PASSWORD), 'the password is in the gateway log');
      assert.deepEqual(await gateway.stop(), { code: 0, signal: null });
    }
    await kdc?.stop();
  });

  it('logs hive-driver in over Thrift HTTP with its Negotiate header and runs a query as alice', async () => {
    const client = new HiveClient(TCLIService, T);
    client.on('error', () => {});
    const provider = new auth.KerberosHttpAuthentication(
      { username: 'alice' },
      new auth.helpers.MongoKerberosAuthProcess({ fqdn: 'localhost', service: 'HTTP' }, kerberos),
    );
    await withTimeout(
      client.connect({ host: gateway.http.host, port: gateway.http.port, options: { path: '/cliservice' } }, new connections.HttpConnection(), provider),
      20000,
      'connect over HTTP with Negotiate',
    );
    const conn = { client, driver: new HiveDriver(T, client.getClient()), utils: new HiveUtils(T) };
    try {
      const { session } = await openSession(conn);
      assert.deepEqual(await query(conn, session, "SELECT 'spnego' AS how, 6 * 7 AS answer"), [{ how: 'spnego', answer: 42 }]);
      const info = await withTimeout(conn.driver.getInfo({ sessionHandle: session.sessionHandle, infoType: T.TGetInfoType.CLI_USER_NAME }), 10000, 'GetInfo');
      assert.equal(info.infoValue.stringValue, 'alice');
      await session.close();
    } finally {
      client.close();
    }
    await gateway.waitForLog(/user="alice"\tmechanism=NEGOTIATE\t.*result=allowed/);
  });

  it('answers a token with the mutual-authentication reply and a cookie, and refuses the same token again', async () => {
    const token = await spnegoToken();
    const post = (authorization) =>
      fetch(`http://${gateway.http.host}:${gateway.http.port}/cliservice`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-thrift', Authorization: authorization },
        body: openSessionBody(),
      });
    const first = await post(`Negotiate ${token}`);
    assert.equal(first.status, 200, await first.clone().text());
    assert.match(first.headers.get('www-authenticate') ?? '', /^Negotiate [A-Za-z0-9+/=]+$/);
    assert.match(first.headers.get('set-cookie') ?? '', /^hive\.server2\.auth=cu=alice&/);
    await first.arrayBuffer();
    // The replay cache: a token is good once.
    const replayed = await post(`Negotiate ${token}`);
    assert.equal(replayed.status, 401);
    assert.match(await replayed.text(), /Authentication Error: Kerberos \(SPNEGO\) login refused: .*[Rr]eplay/);
  });

  it('accepts a ticket for the server principal over Thrift HTTP, as Hive does, but not over REST', async () => {
    const thrift = await fetch(`http://${gateway.http.host}:${gateway.http.port}/cliservice`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-thrift', Authorization: `Negotiate ${await spnegoToken('hive')}` },
      body: openSessionBody(),
    });
    assert.equal(thrift.status, 200, await thrift.clone().text());
    await thrift.arrayBuffer();
    const rest = await fetch(`${gateway.restUrl}/ping`, { headers: { Authorization: `Negotiate ${await spnegoToken('hive')}` } });
    assert.equal(rest.status, 401);
    const body = await rest.json();
    assert.match(body.message, new RegExp(`as HTTP/localhost@${kdc.realm}: `));
  });

  it('refuses a forged token and a token that is not base64, asking for Negotiate', async () => {
    const forged = Buffer.from('a token the KDC never issued').toString('base64');
    for (const authorization of [`Negotiate ${forged}`, 'Negotiate !!not-base64!!']) {
      const r = await fetch(`http://${gateway.http.host}:${gateway.http.port}/cliservice`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-thrift', Authorization: authorization },
        body: openSessionBody(),
      });
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('www-authenticate'), 'Negotiate');
      assert.match(await r.text(), /^Authentication Error: (Kerberos \(SPNEGO\) login refused|Negotiate: the token is not base64)/);
    }
    const anonymous = await fetch(`${gateway.restUrl}/ping`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Negotiate');
    await gateway.waitForLog(/mechanism=NEGOTIATE\t.*result=refused/);
  });

  it('lets curl --negotiate open a session over REST as alice', async () => {
    const env = { ...process.env, KRB5_CONFIG: kdc.krb5Conf, KRB5CCNAME: aliceCache };
    const port = new URL(gateway.restUrl).port;
    const opened = await curl(
      ['-sS', '--negotiate', '-u', ':', '-H', 'Content-Type: application/json', '-d', '{"configs":{}}', `http://localhost:${port}/api/v1/sessions`],
      env,
    );
    assert.equal(opened.code, 0, opened.stderr);
    const handle = JSON.parse(opened.stdout).identifier;
    assert.match(handle, /^[0-9a-f-]{36}$/);
    const got = await curl(['-sS', '--negotiate', '-u', ':', `http://localhost:${port}/api/v1/sessions/${handle}`], env);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(JSON.parse(got.stdout).user, 'alice');
    const closed = await curl(['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--negotiate', '-u', ':', '-X', 'DELETE', `http://localhost:${port}/api/v1/sessions/${handle}`], env);
    assert.equal(closed.stdout, '200');
  });
});
