// hive-driver with the npm kerberos module (built from source against MIT krb5) logging in to the
// gateway over SASL GSSAPI, against a real MIT KDC. hive-driver does not wrap data frames, so it
// can only use QOP auth: at auth-conf the gateway refuses it rather than talk in the clear.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import kerberos from 'kerberos';
import hive from 'hive-driver';

import { HiveClient, HiveDriver, HiveUtils, T, TCLIService, openSession, query, startGateway, withTimeout } from './lib/harness.mjs';
import { startKdc } from './lib/kdc.mjs';

const { auth, connections } = hive;

const ALICE_PASSWORD = 'alice-Hd-Kpw-4Rt';

// Connects hive-driver with KerberosTcpAuthentication for hive/localhost, the ticket from
// KRB5CCNAME. `username` is the authorization id it sends.
async function connectKerberos(gateway, { username = 'alice' } = {}) {
  const client = new HiveClient(TCLIService, T);
  const events = [];
  client.on('error', (e) => events.push(e));
  const provider = new auth.KerberosTcpAuthentication(
    { username },
    new auth.helpers.MongoKerberosAuthProcess({ fqdn: 'localhost', service: 'hive' }, kerberos),
  );
  await withTimeout(
    client.connect({ host: gateway.host, port: gateway.port }, new connections.TcpConnection(), provider),
    20000,
    'Kerberos connect',
  );
  return { client, events, driver: new HiveDriver(T, client.getClient()), utils: new HiveUtils(T) };
}

describe('hive-driver with Kerberos (GSSAPI through the npm kerberos module)', () => {
  let kdc;
  let keytab;
  let aliceCache;
  const gateways = [];

  const start = async (qop) => {
    const gateway = await startGateway({
      auth: 'KERBEROS',
      conf: {
        'kyuubi.kinit.principal': `hive/localhost@${kdc.realm}`,
        'kyuubi.kinit.keytab': keytab,
        'kyuubi.authentication.sasl.qop': qop,
      },
      env: { KRB5_CONFIG: kdc.krb5Conf },
    });
    gateways.push(gateway);
    return gateway;
  };

  before(async () => {
    kdc = await startKdc();
    await kdc.addUser('alice', ALICE_PASSWORD);
    await kdc.addService('hive/localhost');
    keytab = `${kdc.dir}/hive.keytab`;
    await kdc.exportKeytab('hive/localhost', keytab);
    aliceCache = kdc.newCcache();
    await kdc.kinit('alice', ALICE_PASSWORD, aliceCache);
    // The kerberos module runs MIT's library in this process: it reads these.
    process.env.KRB5_CONFIG = kdc.krb5Conf;
    process.env.KRB5CCNAME = aliceCache;
  });

  after(async () => {
    for (const g of gateways) {
      assert.ok(!g.log().includes(ALICE_PASSWORD), 'the password is in the gateway log');
      assert.deepEqual(await g.stop(), { code: 0, signal: null });
    }
    await kdc?.stop();
  });

  it('logs in with a ticket at QOP auth and runs a query as the short user name', async () => {
    const gateway = await start('auth');
    process.env.KRB5CCNAME = aliceCache;
    const conn = await connectKerberos(gateway);
    try {
      const { session } = await openSession(conn);
      assert.deepEqual(await query(conn, session, "SELECT 'kerberos' AS how, 6 * 7 AS answer"), [{ how: 'kerberos', answer: 42 }]);
      const info = await withTimeout(conn.driver.getInfo({ sessionHandle: session.sessionHandle, infoType: T.TGetInfoType.CLI_USER_NAME }), 10000, 'GetInfo');
      assert.equal(info.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      assert.equal(info.infoValue.stringValue, 'alice');
      await session.close();
      await gateway.waitForLog(/user="alice"\tmechanism=GSSAPI\t.*result=allowed/);
    } finally {
      conn.client.close();
    }
  });

  it('fails without a ticket, before the gateway lets anything through', async () => {
    const gateway = await start('auth');
    process.env.KRB5CCNAME = kdc.newCcache(); // empty: no kinit
    try {
      await assert.rejects(connectKerberos(gateway), (e) => {
        assert.match(String(e.message ?? e), /No Kerberos credentials available/);
        return true;
      });
    } finally {
      process.env.KRB5CCNAME = aliceCache;
    }
    assert.ok(!/mechanism=GSSAPI\t.*result=allowed/.test(gateway.log()), 'a login was allowed');
  });

  it('is refused when it asks to act as another user', async () => {
    const gateway = await start('auth');
    await assert.rejects(connectKerberos(gateway, { username: 'bob' }), (e) => {
      assert.match(e.message, /authorization id 'bob@EXAMPLE.TEST' is not the authenticated principal 'alice@EXAMPLE.TEST'/);
      return true;
    });
  });

  it('is refused at QOP auth-conf, since it cannot wrap its frames', async () => {
    const gateway = await start('auth-conf');
    await assert.rejects(connectKerberos(gateway), (e) => {
      assert.match(e.message, /Authentication error: GSSAPI login refused/);
      return true;
    });
    await gateway.waitForLog(/mechanism=GSSAPI\t.*result=refused/);
  });
});
