// hive-driver against the kitsune-server gateway: the life of an engine as a user sees it. It
// ends itself when idle, it may die under a session (kill -9), it may fail to start, and it can
// be launched before OpenSession returns.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  HiveSession, T, connect, engineIdOf, isAlive, launchHandleOf, openSession, operationLog, query, sleep, startGateway, waitFor, withTimeout,
} from './lib/harness.mjs';

const BIG_QUERY = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000)
  SELECT x, printf('%080d', x) AS pad FROM c`;
const SLOW_QUERY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

describe('engine lifecycle through the gateway', () => {
  let gateway;
  const conns = [];
  const connFor = async (username = 'alice') => {
    const conn = await connect(gateway, { mode: 'plain', username, password: 'pw' });
    conns.push(conn);
    return conn;
  };
  const engineProc = (engineId) => gateway.engines().find((e) => e.conf['kyuubi.ha.engine.ref.id'] === engineId);
  const ended = (st) => ![T.TOperationState.INITIALIZED_STATE, T.TOperationState.PENDING_STATE, T.TOperationState.RUNNING_STATE].includes(st.operationState);

  // What a user does once the engine under a session died: opens a new session. With the
  // default asynchronous launch OpenSession answers promptly (it never waits out a dead engine),
  // and the session gets a new engine.
  const reopen = async (conn, configuration, victim) => {
    const started = Date.now();
    const resp = await withTimeout(conn.driver.openSession({ client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10, configuration }), 30000, 'OpenSession');
    const took = Date.now() - started;
    assert.equal(resp.status.statusCode, T.TStatusCode.SUCCESS_STATUS, `OpenSession failed: ${resp.status.errorMessage}`);
    assert.ok(took < 3000, `OpenSession (asynchronous launch) took ${took} ms`);
    const session = new HiveSession(conn.driver, resp.sessionHandle, T);
    const replacement = await withTimeout(engineIdOf(conn, session), 30000, 'a new engine');
    assert.notEqual(replacement, victim);
    assert.deepEqual(await query(conn, session, 'SELECT 3 AS three'), [{ three: 3 }]);
    await session.close();
  };

  before(async () => {
    gateway = await startGateway();
  });
  after(async () => {
    for (const c of conns) c.client.close();
    const result = await gateway?.stop();
    assert.deepEqual(result, { code: 0, signal: null });
  });

  it('an idle engine ends itself after its idle timeout, and the next session gets a new one', async () => {
    const configuration = {
      'kyuubi.engine.share.level.subdomain': 'ttl',
      'set:hiveconf:kyuubi.session.engine.idle.timeout': 'PT2S',
      'set:hiveconf:kyuubi.session.engine.check.interval': 'PT0.5S',
    };
    const conn = await connFor();
    const { session } = await openSession(conn, { configuration });
    const first = await engineIdOf(conn, session);
    const proc = engineProc(first);
    assert.ok(proc, `no kitsune-engine process with ref id ${first}`);
    assert.equal(proc.conf['kyuubi.session.engine.idle.timeout'], 'PT2S');
    // Not while a session is open on it.
    await sleep(3000);
    assert.ok(isAlive(proc.pid), 'the engine ended while a session was open on it');
    assert.deepEqual(await query(conn, session, 'SELECT 1 AS one'), [{ one: 1 }]);
    await session.close();
    await waitFor(() => !isAlive(proc.pid), 15000, `the idle engine (pid ${proc.pid}) to end itself`);

    const { session: again } = await openSession(conn, { configuration });
    const second = await engineIdOf(conn, again);
    assert.notEqual(second, first);
    assert.deepEqual(await query(conn, again, 'SELECT 2 AS two'), [{ two: 2 }]);
    await again.close();
  });

  it('an engine killed between fetches: the client gets an error within seconds, the gateway serves on', async () => {
    const configuration = { 'kyuubi.engine.share.level.subdomain': 'kill-fetch' };
    const conn = await connFor();
    const { session } = await openSession(conn, { configuration });
    const victim = await engineIdOf(conn, session);
    const proc = engineProc(victim);
    const ex = await withTimeout(conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: BIG_QUERY }), 60000, 'big query');
    assert.equal(ex.status.statusCode, T.TStatusCode.SUCCESS_STATUS, ex.status.errorMessage);
    const fetch = () => withTimeout(
      conn.driver.fetchResults({ operationHandle: ex.operationHandle, orientation: T.TFetchOrientation.FETCH_NEXT, maxRows: 1000 }),
      10000,
      'FetchResults after the engine died',
    );
    const firstBatch = await fetch();
    assert.equal(firstBatch.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
    assert.equal(firstBatch.hasMoreRows, true);

    process.kill(proc.pid, 'SIGKILL');
    await waitFor(() => !isAlive(proc.pid), 5000, 'the engine to die');
    const started = Date.now();
    const broken = await fetch();
    assert.equal(broken.status.statusCode, T.TStatusCode.ERROR_STATUS);
    assert.match(broken.status.errorMessage, /engine/i);
    assert.ok(Date.now() - started < 10000);
    // The session says the same from now on, clearly.
    const later = await withTimeout(conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: 'SELECT 1' }), 10000, 'statement on a dead engine');
    assert.equal(later.status.statusCode, T.TStatusCode.ERROR_STATUS);
    assert.match(later.status.errorMessage, /engine/i);

    // A new session on the same connection and the same engine space gets a new engine.
    await reopen(conn, configuration, victim);
  });

  it('an engine killed during a big fetch: the client gets an error within seconds, not a hang', async () => {
    const configuration = { 'kyuubi.engine.share.level.subdomain': 'kill-in-fetch' };
    const conn = await connFor();
    const { session } = await openSession(conn, { configuration });
    const victim = await engineIdOf(conn, session);
    const proc = engineProc(victim);
    const ex = await withTimeout(conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: BIG_QUERY }), 60000, 'big query');
    assert.equal(ex.status.statusCode, T.TStatusCode.SUCCESS_STATUS, ex.status.errorMessage);
    const fetch = () => withTimeout(
      conn.driver.fetchResults({ operationHandle: ex.operationHandle, orientation: T.TFetchOrientation.FETCH_NEXT, maxRows: 200000 }),
      10000,
      'FetchResults while the engine dies',
    );
    // The kill lands while a batch of 200,000 rows is being made or sent.
    const inFlight = fetch();
    await sleep(30);
    process.kill(proc.pid, 'SIGKILL');
    const started = Date.now();
    let resp = await inFlight;
    // Should that batch have made it, the next one cannot.
    if (resp.status.statusCode === T.TStatusCode.SUCCESS_STATUS) resp = await fetch();
    assert.equal(resp.status.statusCode, T.TStatusCode.ERROR_STATUS);
    assert.match(resp.status.errorMessage, /engine/i);
    assert.ok(Date.now() - started < 10000);
    await reopen(conn, configuration, victim);
  });

  it('a session opened right after its engine was killed gets a new engine', async () => {
    const configuration = { 'kyuubi.engine.share.level.subdomain': 'kill-reopen' };
    const conn = await connFor();
    const { session } = await openSession(conn, { configuration });
    const victim = await engineIdOf(conn, session);
    process.kill(engineProc(victim).pid, 'SIGKILL');
    await reopen(conn, configuration, victim);
  });

  it('an engine killed during a running statement: the client gets an error within seconds', async () => {
    const configuration = { 'kyuubi.engine.share.level.subdomain': 'kill-run' };
    const conn = await connFor();
    const { session } = await openSession(conn, { configuration });
    const victim = await engineIdOf(conn, session);
    const proc = engineProc(victim);
    const ex = await withTimeout(
      conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: SLOW_QUERY, runAsync: true }),
      10000,
      'slow query',
    );
    assert.equal(ex.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
    // (GetOperationStatus long-polls for seconds while it runs; a moment is enough for it to start.)
    await sleep(300);
    process.kill(proc.pid, 'SIGKILL');
    const started = Date.now();
    // GetOperationStatus polled as a client does: it must end in an error, not RUNNING forever.
    const st = await waitFor(async () => {
      const r = await withTimeout(conn.driver.getOperationStatus({ operationHandle: ex.operationHandle }), 10000, 'GetOperationStatus');
      return r.status.statusCode !== T.TStatusCode.SUCCESS_STATUS || ended(r) ? r : null;
    }, 15000, 'the statement on a killed engine to fail');
    assert.ok(Date.now() - started < 15000);
    const failed = st.status.statusCode === T.TStatusCode.ERROR_STATUS || st.operationState === T.TOperationState.ERROR_STATE;
    assert.ok(failed, `expected an error, got ${JSON.stringify({ status: st.status, state: st.operationState })}`);
    assert.match(st.status.errorMessage ?? st.errorMessage, /engine/i);

    await reopen(conn, configuration, victim);
  });

  it("an engine that fails at start: its own error reaches the client", async () => {
    const configuration = {
      'kyuubi.engine.share.level.subdomain': 'broken',
      'set:hiveconf:kitsune.engine.local.data.dir': '/proc/forbidden',
    };
    const conn = await connFor();
    const { resp, session } = await openSession(conn, { configuration });
    const ex = await withTimeout(conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: 'SELECT 1' }), 30000, 'statement on a broken engine');
    assert.equal(ex.status.statusCode, T.TStatusCode.ERROR_STATUS);
    assert.match(ex.status.errorMessage, /Cannot use \/proc\/forbidden as the local engine's data directory/);
    // The launch operation says the same, and its log has the cause.
    const launch = launchHandleOf(resp);
    const st = await withTimeout(conn.driver.getOperationStatus({ operationHandle: launch }), 10000, 'launch status');
    assert.equal(st.operationState, T.TOperationState.ERROR_STATE);
    assert.match(st.errorMessage, /Cannot use \/proc\/forbidden/);
    const lines = await operationLog(conn, launch);
    assert.ok(lines.some((l) => /exited with code 1/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /Cannot use \/proc\/forbidden/.test(l)), lines.join('\n'));
    await session.close();
    // And the gateway goes on.
    const { session: ok } = await openSession(conn, { configuration: { 'kyuubi.engine.share.level.subdomain': 'not-broken' } });
    assert.deepEqual(await query(conn, ok, 'SELECT 4 AS four'), [{ four: 4 }]);
    await ok.close();
  });

  it('closes the sessions of a closed connection, unless kyuubi.session.close.on.disconnect=false', async () => {
    const first = await connFor('heidi');
    const { session: closing } = await openSession(first);
    const { session: kept } = await openSession(first, { configuration: { 'kyuubi.session.close.on.disconnect': 'false' } });
    await query(first, kept, 'CREATE TABLE IF NOT EXISTS survivors (x INT)');
    first.client.close();
    await sleep(500);
    const second = await connFor('heidi');
    const gone = await withTimeout(second.driver.executeStatement({ sessionHandle: closing.sessionHandle, statement: 'SELECT 1' }), 10000, 'execute');
    assert.equal(gone.status.statusCode, T.TStatusCode.INVALID_HANDLE_STATUS);
    // The kept one is usable from the user's next connection.
    const ex = await withTimeout(second.driver.executeStatement({ sessionHandle: kept.sessionHandle, statement: 'SELECT count(*) FROM survivors' }), 10000, 'execute');
    assert.equal(ex.status.statusCode, T.TStatusCode.SUCCESS_STATUS, ex.status.errorMessage);
    const close = await second.driver.closeSession({ sessionHandle: kept.sessionHandle });
    assert.equal(close.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
  });

  it('with kyuubi.session.engine.launch.async=false OpenSession waits and names the engine', async () => {
    const conn = await connFor('grace');
    const { resp, session } = await openSession(conn, {
      configuration: { 'set:hiveconf:kyuubi.session.engine.launch.async': 'false', 'kyuubi.engine.share.level': 'CONNECTION' },
    });
    const id = resp.configuration['kyuubi.engine.id'];
    assert.match(id ?? '', /\S/, JSON.stringify(resp.configuration));
    // The engine is up already.
    const st = await conn.driver.getOperationStatus({ operationHandle: launchHandleOf(resp) });
    assert.equal(st.operationState, T.TOperationState.FINISHED_STATE);
    assert.ok(engineProc(id), `no engine process for ${id}`);
    assert.equal(await engineIdOf(conn, session), id);
    await session.close();
  });

  it('with kyuubi.session.engine.launch.async=false an engine failing at start fails OpenSession', async () => {
    const conn = await connFor('grace');
    const resp = await withTimeout(conn.driver.openSession({
      client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
      configuration: {
        'kyuubi.session.engine.launch.async': 'false',
        'kyuubi.engine.share.level.subdomain': 'broken-sync',
        'kitsune.engine.local.data.dir': '/proc/forbidden',
      },
    }), 30000, 'OpenSession');
    assert.equal(resp.status.statusCode, T.TStatusCode.ERROR_STATUS);
    assert.match(resp.status.errorMessage, /Cannot use \/proc\/forbidden as the local engine's data directory/);
  });
});
