// Thrift over HTTP (hive-driver's HttpConnection) and the REST API (Node's fetch) against a real
// kitsune-server launching real kitsune-engine processes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  HiveClient,
  HiveDriver,
  HiveSession,
  HiveUtils,
  T,
  TCLIService,
  auth,
  connections,
  sleep,
  startGateway,
  withTimeout,
} from './lib/harness.mjs';

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function connectHttp(gateway, { username = 'alice', password = 'secret', path = '/cliservice' } = {}) {
  const client = new HiveClient(TCLIService, T);
  const events = [];
  client.on('error', (e) => events.push(e));
  await withTimeout(
    client.connect(
      { host: gateway.http.host, port: gateway.http.port, options: { path } },
      new connections.HttpConnection(),
      new auth.PlainHttpAuthentication({ username, password }),
    ),
    10000,
    'connect over HTTP',
  );
  const driver = new HiveDriver(T, client.getClient());
  return { client, driver, events, utils: new HiveUtils(T) };
}

async function rows(conn, session, sql) {
  const op = await withTimeout(session.executeStatement(sql, { runAsync: false }), 60000, sql);
  await withTimeout(conn.utils.waitUntilReady(op, false), 60000, sql);
  await withTimeout(conn.utils.fetchAll(op), 60000, sql);
  const out = conn.utils.getResult(op).getValue();
  await op.close();
  return out;
}

// One raw Thrift call over HTTP: OpenSession with protocol V10, its bytes written by hand so that
// the test controls the headers (cookies) exactly.
function openSessionBody() {
  const name = Buffer.from('OpenSession');
  const head = Buffer.alloc(4 + 4 + name.length + 4);
  head.writeUInt32BE(0x80010001, 0); // version 1, CALL
  head.writeInt32BE(name.length, 4);
  name.copy(head, 8);
  head.writeInt32BE(1, 8 + name.length); // seqid
  // struct OpenSession_args { 1: TOpenSessionReq req { 1: i32 client_protocol } }
  const args = Buffer.from([0x0c, 0x00, 0x01, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00]);
  return Buffer.concat([head, args]);
}

async function postThrift(gateway, headers) {
  return fetch(`http://${gateway.http.host}:${gateway.http.port}/cliservice`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-thrift', ...headers },
    body: openSessionBody(),
  });
}

describe('Thrift over HTTP', () => {
  let gateway;
  before(async () => {
    gateway = await startGateway({
      conf: {
        'kyuubi.frontend.protocols': 'THRIFT_BINARY,THRIFT_HTTP,REST',
        'kyuubi.frontend.thrift.http.cookie.max.age': '2',
      },
    });
    assert.ok(gateway.http, `the gateway printed no thrift-http address:\n${gateway.log()}`);
  });
  after(async () => gateway && (await gateway.stop()));

  test('hive-driver runs SQL over HTTP with Basic credentials', async () => {
    const conn = await connectHttp(gateway);
    const session = await conn.client.openSession({ client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 });
    await rows(conn, session, 'CREATE TABLE http_t (id INT, name STRING)');
    await rows(conn, session, "INSERT INTO http_t VALUES (1, 'one'), (2, 'two')");
    const got = await rows(conn, session, 'SELECT id, name FROM http_t ORDER BY id');
    assert.deepEqual(got, [{ id: 1, name: 'one' }, { id: 2, name: 'two' }]);
    await session.close();
    assert.deepEqual(conn.events, []);
  });

  test('a session opened on one HTTP connection is used from another one', async () => {
    const first = await connectHttp(gateway);
    const opened = await withTimeout(
      first.driver.openSession({ client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 }),
      10000,
      'OpenSession',
    );
    assert.equal(opened.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
    const second = await connectHttp(gateway);
    const session = new HiveSession(second.driver, opened.sessionHandle, T);
    assert.deepEqual(await rows(second, session, 'SELECT 40 + 2 AS answer'), [{ answer: 42 }]);
    await session.close();
  });

  test('a login sets a signed cookie that stands for the credentials until it expires', async () => {
    const login = await postThrift(gateway, { Authorization: basic('carol', 'pw') });
    assert.equal(login.status, 200);
    const setCookie = login.headers.get('set-cookie');
    assert.match(setCookie, /^hive\.server2\.auth=cu=carol&rn=[0-9a-f]+&exp=\d+&s=[0-9a-f]{64}; Max-Age=2; HttpOnly/);
    const cookie = setCookie.split(';')[0];

    const withCookie = await postThrift(gateway, { Cookie: cookie });
    assert.equal(withCookie.status, 200, 'the cookie alone logs in');

    const forged = cookie.replace('cu=carol', 'cu=admin');
    const refused = await postThrift(gateway, { Cookie: forged });
    assert.equal(refused.status, 401, 'a cookie whose user was changed is refused');
    assert.match(await refused.text(), /Authentication Error/);

    const badSignature = cookie.slice(0, -4) + (cookie.endsWith('aaaa') ? 'bbbb' : 'aaaa');
    assert.equal((await postThrift(gateway, { Cookie: badSignature })).status, 401);

    await sleep(2500);
    const expired = await postThrift(gateway, { Cookie: cookie });
    assert.equal(expired.status, 401, 'an expired cookie is refused');
  });

  test('bad requests get clear HTTP errors and the frontend keeps serving', async () => {
    const base = `http://${gateway.http.host}:${gateway.http.port}`;
    const get = await fetch(`${base}/cliservice`, { headers: { Authorization: basic('a', 'b') } });
    assert.equal(get.status, 405);
    const elsewhere = await fetch(`${base}/nothing-here`, { method: 'POST', body: 'x' });
    assert.equal(elsewhere.status, 404);
    const garbage = await fetch(`${base}/cliservice`, {
      method: 'POST',
      headers: { Authorization: basic('a', 'b') },
      body: 'this is not thrift',
    });
    assert.equal(garbage.status, 400);
    assert.match(await garbage.text(), /Not a Thrift call/);
    const conn = await connectHttp(gateway);
    const session = await conn.client.openSession({ client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 });
    assert.deepEqual(await rows(conn, session, 'SELECT 1 AS one'), [{ one: 1 }]);
    await session.close();
  });
});

describe('REST API v1', () => {
  let gateway;
  let api;
  const as = (user) => ({ Authorization: basic(user, 'pw'), 'Content-Type': 'application/json' });
  const call = async (method, path, { user = 'alice', body } = {}) => {
    const r = await fetch(`${api}${path}`, {
      method,
      headers: as(user),
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, text, json };
  };

  before(async () => {
    gateway = await startGateway({ conf: { 'kyuubi.server.administrators': 'root_admin' } });
    assert.ok(gateway.restUrl, `the gateway printed no rest address:\n${gateway.log()}`);
    api = gateway.restUrl;
  });
  after(async () => gateway && (await gateway.stop()));

  test('ping and version answer', async () => {
    const ping = await call('GET', '/ping');
    assert.equal(ping.status, 200);
    assert.equal(ping.text, 'pong');
    const version = await call('GET', '/version');
    assert.equal(version.status, 200);
    assert.match(version.json.version, /^\d+\.\d+\.\d+/);
  });

  test('a session opens, runs SQL and its rows are read over REST', async () => {
    const opened = await call('POST', '/sessions', { body: { configs: { 'kyuubi.session.name': 'rest-test' } } });
    assert.equal(opened.status, 200, opened.text);
    const sid = opened.json.identifier;
    assert.match(sid, /^[0-9a-f-]{36}$/);
    assert.match(opened.json.kyuubiInstance, /:\d+$/);

    const create = await call('POST', `/sessions/${sid}/operations/statement`, {
      body: { statement: 'CREATE TABLE rest_t (id INT, name STRING, score DOUBLE)', runAsync: false },
    });
    assert.equal(create.status, 200, create.text);
    const insert = await call('POST', `/sessions/${sid}/operations/statement`, {
      body: { statement: "INSERT INTO rest_t VALUES (1, 'one', 1.5), (2, NULL, 2.5)", runAsync: false },
    });
    assert.equal(insert.status, 200, insert.text);
    const select = await call('POST', `/sessions/${sid}/operations/statement`, {
      body: { statement: 'SELECT id, name, score FROM rest_t ORDER BY id', runAsync: true },
    });
    assert.equal(select.status, 200, select.text);
    const op = select.json.identifier;

    let state;
    for (let i = 0; i < 100; i++) {
      const event = await call('GET', `/operations/${op}/event`);
      assert.equal(event.status, 200, event.text);
      state = event.json.state;
      if (state === 'FINISHED' || state === 'ERROR') break;
      await sleep(100);
    }
    assert.equal(state, 'FINISHED');

    const meta = await call('GET', `/operations/${op}/resultsetmetadata`);
    assert.equal(meta.status, 200, meta.text);
    assert.deepEqual(
      meta.json.columns.map((c) => [c.columnName, c.dataType]),
      [['id', 'INT_TYPE'], ['name', 'STRING_TYPE'], ['score', 'DOUBLE_TYPE']],
    );

    const rowset = await call('GET', `/operations/${op}/rowset?maxrows=10`);
    assert.equal(rowset.status, 200, rowset.text);
    assert.equal(rowset.json.rowCount, 2);
    assert.deepEqual(rowset.json.rows[0].fields, [
      { dataType: 'I32_VAL', value: 1 },
      { dataType: 'STRING_VAL', value: 'one' },
      { dataType: 'DOUBLE_VAL', value: 1.5 },
    ]);
    assert.deepEqual(rowset.json.rows[1].fields[1], { dataType: 'STRING_VAL', value: null });

    const log = await call('GET', `/operations/${op}/log?maxrows=100&fetchorientation=FETCH_FIRST`);
    assert.equal(log.status, 200, log.text);
    assert.ok(Array.isArray(log.json.logRowSet));

    const listed = await call('GET', `/sessions/${sid}/operations`);
    assert.ok(listed.json.some((o) => o.identifier === op && /SELECT id, name/.test(o.statement)));
    const sessions = await call('GET', '/sessions');
    assert.ok(sessions.json.some((s) => s.identifier === sid && s.user === 'alice' && s.sessionName === 'rest-test'));

    const closeOp = await call('PUT', `/operations/${op}`, { body: { action: 'close' } });
    assert.equal(closeOp.status, 200, closeOp.text);
    assert.equal((await call('GET', `/operations/${op}/event`)).status, 404);

    const closed = await call('DELETE', `/sessions/${sid}`);
    assert.equal(closed.status, 200, closed.text);
    assert.equal((await call('DELETE', `/sessions/${sid}`)).status, 404);
  });

  test('metadata calls run as operations whose rows are read the same way', async () => {
    const sid = (await call('POST', '/sessions', { body: {} })).json.identifier;
    const types = await call('POST', `/sessions/${sid}/operations/tableTypes`);
    assert.equal(types.status, 200, types.text);
    const rowset = await call('GET', `/operations/${types.json.identifier}/rowset`);
    assert.ok(rowset.json.rows.some((r) => r.fields[0].value === 'TABLE'), rowset.text);
    const info = await call('GET', `/sessions/${sid}/info/18`); // CLI_DBMS_VER
    assert.equal(info.status, 200, info.text);
    assert.equal(typeof info.json.infoValue, 'string');
    await call('DELETE', `/sessions/${sid}`);
  });

  test("another user's session is forbidden and unknown handles are not found", async () => {
    const sid = (await call('POST', '/sessions', { body: {} })).json.identifier;
    const bob = await call('POST', `/sessions/${sid}/operations/statement`, {
      user: 'bob',
      body: { statement: 'SELECT 1' },
    });
    assert.equal(bob.status, 403, bob.text);
    assert.match(bob.json.message, /bob may not act on the session/);
    assert.equal((await call('DELETE', `/sessions/${sid}`, { user: 'bob' })).status, 403);
    const unknown = await call('GET', '/sessions/00000000-0000-0000-0000-000000000000');
    assert.equal(unknown.status, 404);
    assert.equal((await call('GET', '/operations/not-a-handle/event')).status, 404);
    await call('DELETE', `/sessions/${sid}`);
  });

  test('bad JSON and bad arguments are 400 with a message', async () => {
    const bad = await call('POST', '/sessions', { body: '{"configs": ' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /not valid JSON/);
    const sid = (await call('POST', '/sessions', { body: {} })).json.identifier;
    const empty = await call('POST', `/sessions/${sid}/operations/statement`, { body: {} });
    assert.equal(empty.status, 400);
    const sqlError = await call('POST', `/sessions/${sid}/operations/statement`, {
      body: { statement: 'SELECT * FROM no_such_table', runAsync: false },
    });
    assert.equal(sqlError.status, 400);
    assert.match(sqlError.json.message, /no_such_table/);
    const orientation = await call('GET', '/operations/x/rowset?fetchorientation=SIDEWAYS');
    assert.equal(orientation.status, 404); // the handle is checked first
    await call('DELETE', `/sessions/${sid}`);
  });

  test('admin endpoints are for administrators only', async () => {
    const sid = (await call('POST', '/sessions', { user: 'dave', body: {} })).json.identifier;
    const op = (
      await call('POST', `/sessions/${sid}/operations/statement`, {
        user: 'dave',
        body: { statement: 'SELECT 1', runAsync: false },
      })
    ).json.identifier;
    // Security is off (NONE): like Kyuubi, everyone is an administrator then.
    const ops = await call('GET', `/admin/operations?users=dave&sessionHandle=${sid}`, { user: 'erin' });
    assert.deepEqual(ops.json.map((o) => o.identifier), [op]);
    const closedOp = await call('DELETE', `/admin/operations/${op}`, { user: 'erin' });
    assert.equal(closedOp.status, 200, closedOp.text);
    assert.equal((await call('GET', `/operations/${op}/event`, { user: 'dave' })).status, 404);
    const listed = await call('GET', '/admin/sessions?users=dave', { user: 'erin' });
    assert.equal(listed.status, 200, listed.text);
    assert.ok(listed.json.some((s) => s.identifier === sid));
    const closed = await call('DELETE', `/admin/sessions/${sid}`, { user: 'erin' });
    assert.equal(closed.status, 200, closed.text);
    assert.equal((await call('GET', `/sessions/${sid}`, { user: 'dave' })).status, 404);
    const refreshed = await call('POST', '/admin/refresh/deny_users');
    assert.equal(refreshed.status, 200, refreshed.text);
  });
});
