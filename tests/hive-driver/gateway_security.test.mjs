// hive-driver against the kitsune-server gateway: handles belong to the user who got them, proxy
// users need the server's permission, and the session conf a client sends is filtered by the
// server (server-only keys, kyuubi.session.conf.restrict.list and .ignore.list).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { T, connect, engineIdOf, openSession, query, startGateway, withTimeout } from './lib/harness.mjs';

const INVALID = T.TStatusCode.INVALID_HANDLE_STATUS;
const setValue = async (conn, session, key) => Object.values((await query(conn, session, `SET ${key}`))[0])[0];

describe('handles through the gateway', () => {
  let gateway;
  let alice;
  let bob;
  let bobSession;
  let bobOp;
  before(async () => {
    gateway = await startGateway();
    alice = await connect(gateway, { mode: 'plain', username: 'alice', password: 'a-pw' });
    bob = await connect(gateway, { mode: 'plain', username: 'bob', password: 'b-pw' });
    ({ session: bobSession } = await openSession(bob));
    const ex = await withTimeout(bob.driver.executeStatement({ sessionHandle: bobSession.sessionHandle, statement: 'SELECT 42 AS secret' }), 30000, 'bob query');
    assert.equal(ex.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
    bobOp = ex.operationHandle;
  });
  after(async () => {
    alice?.client.close();
    bob?.client.close();
    assert.deepEqual(await gateway?.stop(), { code: 0, signal: null });
  });

  it("alice cannot use bob's operation handle", async () => {
    const st = await withTimeout(alice.driver.getOperationStatus({ operationHandle: bobOp }), 10000, 'status');
    assert.equal(st.status.statusCode, INVALID);
    const fetch = await withTimeout(alice.driver.fetchResults({ operationHandle: bobOp, orientation: T.TFetchOrientation.FETCH_FIRST, maxRows: 10 }), 10000, 'fetch');
    assert.equal(fetch.status.statusCode, INVALID);
    assert.ok(!fetch.results, 'no rows for alice');
    const log = await withTimeout(alice.driver.fetchResults({ operationHandle: bobOp, orientation: T.TFetchOrientation.FETCH_FIRST, maxRows: 10, fetchType: 1 }), 10000, 'log');
    assert.equal(log.status.statusCode, INVALID);
    for (const call of ['cancelOperation', 'closeOperation', 'getResultSetMetadata']) {
      const r = await withTimeout(alice.driver[call]({ operationHandle: bobOp }), 10000, call);
      assert.equal(r.status.statusCode, INVALID, call);
    }
    // Bob still can, and his operation was neither cancelled nor closed.
    const mine = await bob.driver.fetchResults({ operationHandle: bobOp, orientation: T.TFetchOrientation.FETCH_FIRST, maxRows: 10 });
    assert.equal(mine.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
    assert.equal(Number(Object.values(mine.results.columns[0]).find((v) => v?.values).values[0]), 42);
  });

  it("alice cannot use bob's session handle", async () => {
    const handle = bobSession.sessionHandle;
    const ex = await withTimeout(alice.driver.executeStatement({ sessionHandle: handle, statement: 'SELECT 1' }), 10000, 'execute');
    assert.equal(ex.status.statusCode, INVALID);
    const info = await withTimeout(alice.driver.getInfo({ sessionHandle: handle, infoType: T.TGetInfoType.CLI_USER_NAME }), 10000, 'GetInfo');
    assert.equal(info.status.statusCode, INVALID);
    const tables = await withTimeout(alice.driver.getTables({ sessionHandle: handle, schemaName: '%', tableName: '%' }), 10000, 'GetTables');
    assert.equal(tables.status.statusCode, INVALID);
    const close = await withTimeout(alice.driver.closeSession({ sessionHandle: handle }), 10000, 'CloseSession');
    assert.equal(close.status.statusCode, INVALID);
    // Bob's session is still open.
    assert.deepEqual(await query(bob, bobSession, 'SELECT 1 AS one'), [{ one: 1 }]);
  });

  it('a forged handle is an invalid handle', async () => {
    const forgedSession = { sessionId: { guid: randomBytes(16), secret: randomBytes(16) } };
    const forgedOp = { operationId: { guid: randomBytes(16), secret: randomBytes(16) }, operationType: T.TOperationType.EXECUTE_STATEMENT, hasResultSet: true };
    const ex = await withTimeout(alice.driver.executeStatement({ sessionHandle: forgedSession, statement: 'SELECT 1' }), 10000, 'execute');
    assert.equal(ex.status.statusCode, INVALID);
    const st = await withTimeout(alice.driver.getOperationStatus({ operationHandle: forgedOp }), 10000, 'status');
    assert.equal(st.status.statusCode, INVALID);
    const fetch = await withTimeout(alice.driver.fetchResults({ operationHandle: forgedOp, orientation: T.TFetchOrientation.FETCH_NEXT, maxRows: 1 }), 10000, 'fetch');
    assert.equal(fetch.status.statusCode, INVALID);
    // Bob's own guid with a wrong secret, from bob himself.
    const halfForged = { ...bobOp, operationId: { guid: bobOp.operationId.guid, secret: randomBytes(16) } };
    const r = await withTimeout(bob.driver.getOperationStatus({ operationHandle: halfForged }), 10000, 'status');
    assert.equal(r.status.statusCode, INVALID);
    const halfSession = { sessionId: { guid: bobSession.sessionHandle.sessionId.guid, secret: randomBytes(16) } };
    const r2 = await withTimeout(bob.driver.executeStatement({ sessionHandle: halfSession, statement: 'SELECT 1' }), 10000, 'execute');
    assert.equal(r2.status.statusCode, INVALID);
  });
});

describe('proxy users through the gateway', () => {
  it('refuses a proxy user the server does not allow', async () => {
    const gateway = await startGateway();
    try {
      const conn = await connect(gateway, { mode: 'plain', username: 'alice', password: 'pw' });
      for (const key of ['hive.server2.proxy.user', 'kyuubi.session.proxy.user']) {
        const resp = await withTimeout(conn.driver.openSession({
          client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
          configuration: { [key]: 'bob' },
        }), 10000, 'OpenSession');
        assert.equal(resp.status.statusCode, T.TStatusCode.ERROR_STATUS, key);
        assert.match(resp.status.errorMessage, /Failed to validate proxy privilege of alice for bob/);
      }
      // Proxying as oneself is no proxying.
      const { session } = await openSession(conn, { configuration: { 'hive.server2.proxy.user': 'alice' } });
      assert.equal((await session.getInfo(T.TGetInfoType.CLI_USER_NAME)).getValue(), 'alice');
      await session.close();
      conn.client.close();
    } finally {
      assert.deepEqual(await gateway.stop(), { code: 0, signal: null });
    }
  });

  it('allows it with hadoop.proxyuser.alice.users=bob and .hosts, and the session is bob\'s', async () => {
    const gateway = await startGateway({
      conf: { 'hadoop.proxyuser.alice.users': 'bob', 'hadoop.proxyuser.alice.hosts': '127.0.0.0/8' },
    });
    try {
      const alice = await connect(gateway, { mode: 'plain', username: 'alice', password: 'pw' });
      const bob = await connect(gateway, { mode: 'plain', username: 'bob', password: 'pw' });
      const { session: asBob } = await openSession(alice, { configuration: { 'hive.server2.proxy.user': 'bob' } });
      assert.equal((await asBob.getInfo(T.TGetInfoType.CLI_USER_NAME)).getValue(), 'bob');
      const { session: bobOwn } = await openSession(bob);
      // Routed as bob: bob's USER engine.
      assert.equal(await engineIdOf(alice, asBob), await engineIdOf(bob, bobOwn));
      assert.equal(await setValue(alice, asBob, 'kyuubi.session.real.user'), 'kyuubi.session.real.user=alice');
      // Only bob: alice may not be carol.
      const carol = await withTimeout(alice.driver.openSession({
        client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
        configuration: { 'hive.server2.proxy.user': 'carol' },
      }), 10000, 'OpenSession');
      assert.equal(carol.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.match(carol.status.errorMessage, /Failed to validate proxy privilege of alice for carol/);
      assert.match(carol.status.errorMessage, /User: alice is not allowed to impersonate carol/);
      // And the proxied session belongs to alice's login: bob cannot use its handle.
      const r = await withTimeout(bob.driver.executeStatement({ sessionHandle: asBob.sessionHandle, statement: 'SELECT 1' }), 10000, 'execute');
      assert.equal(r.status.statusCode, INVALID);
      alice.client.close();
      bob.client.close();
    } finally {
      assert.deepEqual(await gateway.stop(), { code: 0, signal: null });
    }
  });

  it('refuses it without hadoop.proxyuser.alice.hosts, and a client cannot send the rules itself', async () => {
    const gateway = await startGateway({ conf: { 'hadoop.proxyuser.alice.users': 'bob' } });
    try {
      const conn = await connect(gateway, { mode: 'plain', username: 'alice', password: 'pw' });
      for (const configuration of [
        { 'hive.server2.proxy.user': 'bob' },
        // Rules in the session conf are the client's, not the server's: they grant nothing.
        {
          'hive.server2.proxy.user': 'bob',
          'hadoop.proxyuser.alice.hosts': '*',
          'set:hiveconf:hadoop.proxyuser.alice.users': '*',
          'kyuubi.server.administrators': 'alice',
        },
      ]) {
        const resp = await withTimeout(conn.driver.openSession({
          client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
          configuration,
        }), 10000, 'OpenSession');
        assert.equal(resp.status.statusCode, T.TStatusCode.ERROR_STATUS);
        assert.match(resp.status.errorMessage, /Failed to validate proxy privilege of alice for bob/);
        assert.match(resp.status.errorMessage, /hadoop\.proxyuser\.alice\.hosts is not set/);
      }
      conn.client.close();
    } finally {
      assert.deepEqual(await gateway.stop(), { code: 0, signal: null });
    }
  });

  it('allows an administrator (kyuubi.server.administrators) to be anyone', async () => {
    const gateway = await startGateway({ conf: { 'kyuubi.server.administrators': 'alice' } });
    try {
      const conn = await connect(gateway, { mode: 'plain', username: 'alice', password: 'pw' });
      const { session } = await openSession(conn, { configuration: { 'kyuubi.session.proxy.user': 'dave' } });
      assert.equal((await session.getInfo(T.TGetInfoType.CLI_USER_NAME)).getValue(), 'dave');
      await session.close();
      conn.client.close();
    } finally {
      assert.deepEqual(await gateway.stop(), { code: 0, signal: null });
    }
  });
});

describe('session conf from the client through the gateway', () => {
  let gateway;
  let conn;
  before(async () => {
    gateway = await startGateway({
      conf: { 'kyuubi.session.conf.restrict.list': 'spark.driver.memory,kyuubi.ha.*' },
      defaults: 'kyuubi.session.conf.ignore.list my.ignored.key,ignored.family.*\n',
    });
    conn = await connect(gateway, { mode: 'plain', username: 'alice', password: 'pw' });
  });
  after(async () => {
    conn?.client.close();
    assert.deepEqual(await gateway?.stop(), { code: 0, signal: null });
  });

  it('drops a server-only key from the client, and the session still opens', async () => {
    const { session } = await openSession(conn, {
      configuration: { 'set:hiveconf:kyuubi.frontend.bind.port': '1', 'set:hiveconf:my.plain.key': 'kept' },
    });
    const port = await setValue(conn, session, 'kyuubi.frontend.bind.port');
    assert.notEqual(port, 'kyuubi.frontend.bind.port=1');
    assert.equal(await setValue(conn, session, 'my.plain.key'), 'my.plain.key=kept');
    await gateway.waitForLog(/server-only key kyuubi\.frontend\.bind\.port/);
    await session.close();
  });

  it('fails OpenSession on a restricted key, with Kyuubi\'s message', async () => {
    for (const [key, name] of [
      ['set:hiveconf:spark.driver.memory', 'spark.driver.memory'],
      ['kyuubi.ha.namespace', 'kyuubi.ha.namespace'],
    ]) {
      const resp = await withTimeout(conn.driver.openSession({
        client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
        configuration: { [key]: 'x' },
      }), 10000, 'OpenSession');
      assert.equal(resp.status.statusCode, T.TStatusCode.ERROR_STATUS, key);
      assert.match(resp.status.errorMessage, new RegExp(`${name.replaceAll('.', '\\.')} is a restrict key`));
    }
  });

  it('drops an ignored key silently', async () => {
    const { session } = await openSession(conn, {
      configuration: {
        'set:hiveconf:my.ignored.key': 'no',
        'ignored.family.member': 'no',
        'set:hiveconf:my.plain.key': 'yes',
      },
    });
    assert.equal(await setValue(conn, session, 'my.ignored.key'), 'my.ignored.key is undefined');
    assert.equal(await setValue(conn, session, 'ignored.family.member'), 'ignored.family.member is undefined');
    assert.equal(await setValue(conn, session, 'my.plain.key'), 'my.plain.key=yes');
    await session.close();
  });

  it('refuses set:env: keys', async () => {
    const resp = await withTimeout(conn.driver.openSession({
      client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
      configuration: { 'set:env:PATH': '/tmp' },
    }), 10000, 'OpenSession');
    assert.equal(resp.status.statusCode, T.TStatusCode.ERROR_STATUS);
    assert.match(resp.status.errorMessage, /set:env:PATH/);
  });
});
