// hive-driver against kitsune-engine: connecting over SASL PLAIN and NOSASL, OpenSession
// negotiation and configuration, GetInfo.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { T, connect, openSession, query, startEngine, withTimeout } from './lib/harness.mjs';

for (const mode of ['plain', 'nosasl']) {
  describe(`over ${mode === 'plain' ? 'SASL PLAIN' : 'NOSASL'}`, () => {
    let engine;
    let conn;
    before(async () => {
      engine = await startEngine({ auth: mode === 'plain' ? 'NONE' : 'NOSASL' });
      conn = await connect(engine, { mode, username: 'alice', password: 'secret' });
    });
    after(async () => {
      conn?.client.close();
      await engine?.stop();
    });

    it('answers SELECT 1', async () => {
      const { session } = await openSession(conn, { username: 'alice' });
      const rows = await query(conn, session, 'SELECT 1 AS one');
      assert.deepEqual(rows, [{ one: 1 }]);
      await session.close();
    });

    it('negotiates the protocol version down to the client and names the engine', async () => {
      for (const [asked, expected] of [
        [T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V11, T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V11],
        [T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10, T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10],
        [T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V6, T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V6],
        [T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V1, T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V1],
      ]) {
        const { resp, session } = await openSession(conn, { protocol: asked });
        assert.equal(resp.serverProtocolVersion, expected);
        assert.equal(resp.configuration['hive.server2.thrift.resultset.default.fetch.size'], '1000');
        assert.match(resp.configuration['kyuubi.engine.id'], /\S/);
        await session.close();
      }
    });

    it('answers GetInfo as HiveServer2 clients ask it', async () => {
      const { session } = await openSession(conn);
      assert.equal((await session.getInfo(T.TGetInfoType.CLI_SERVER_NAME)).getValue(), 'Kitsune');
      assert.equal((await session.getInfo(T.TGetInfoType.CLI_DBMS_NAME)).getValue(), 'SQLite');
      assert.match((await session.getInfo(T.TGetInfoType.CLI_DBMS_VER)).getValue(), /^3\.\d+\.\d+/);
      const keywords = (await session.getInfo(T.TGetInfoType.CLI_ODBC_KEYWORDS)).getValue();
      assert.match(keywords, /^[A-Z_]+(,[A-Z_]+)+$/);
      const maxTable = (await session.getInfo(T.TGetInfoType.CLI_MAX_TABLE_NAME_LEN)).getValue();
      assert.equal(maxTable.toNumber(), 128);
      // An info type it does not know: an error status, and infoValue still present.
      const raw = await conn.driver.getInfo({ sessionHandle: session.sessionHandle, infoType: T.TGetInfoType.CLI_COLLATION_SEQ });
      assert.equal(raw.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.match(raw.status.errorMessage, /Unrecognized GetInfoType value/);
      assert.equal(raw.infoValue.lenValue.toNumber(), 0);
      await session.close();
    });

    it('takes the session user from the login, and from OpenSession without SASL', async () => {
      const { session } = await openSession(conn, { username: 'bob' });
      const user = (await session.getInfo(T.TGetInfoType.CLI_USER_NAME)).getValue();
      assert.equal(user, mode === 'plain' ? 'alice' : 'bob');
      await session.close();
    });
  });
}

describe('logins', () => {
  let engine;
  before(async () => {
    engine = await startEngine({ auth: 'NONE' });
  });
  after(async () => engine?.stop());

  it('refuses an empty password over SASL PLAIN with a reason', async () => {
    await assert.rejects(connect(engine, { mode: 'plain', username: 'alice', password: '' }), /no password provided/);
    await engine.waitForLog(/login failed: .*no password provided/);
  });

  it('refuses a NOSASL client on a SASL port and logs why', async () => {
    const conn = await connect(engine, { mode: 'nosasl' });
    await assert.rejects(withTimeout(conn.driver.openSession({ client_protocol: 9 }), 3000, 'OpenSession'));
    await engine.waitForLog(/speaks unframed Thrift \(a NOSASL client\) but this server expects SASL/);
    conn.client.close();
  });
});
