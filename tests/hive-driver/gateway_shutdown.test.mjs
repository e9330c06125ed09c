// hive-driver against the kitsune-server gateway: SIGTERM drains. A running statement finishes
// (or, past kitsune.server.shutdown.timeout, ends with a clean error), the gateway exits 0 in
// time, and no engine it launched outlives it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { T, connect, engineIdOf, openSession, query, sleep, startGateway, waitFor, withTimeout } from './lib/harness.mjs';

const ROWS = 20_000_000; // a few seconds of SQLite
const SLOW_QUERY = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${ROWS}) SELECT count(*) AS n FROM c`;
const ENDLESS_QUERY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
const ACTIVE = [T.TOperationState.INITIALIZED_STATE, T.TOperationState.PENDING_STATE, T.TOperationState.RUNNING_STATE];

// Races a driver call with the connection closing: hive-driver never settles a call whose
// connection the server closed.
function callOrClosed(conn, promise, what) {
  let onClose;
  const closed = new Promise((_, reject) => {
    onClose = () => reject(Object.assign(new Error(`the gateway closed the connection during ${what}`), { closedByServer: true }));
    conn.client.once('close', onClose);
  });
  return withTimeout(Promise.race([promise, closed]), 30000, what).finally(() => conn.client.off('close', onClose));
}

// Starts a gateway with one session of alice (its engine up) and a statement running on it.
async function runningStatement(drain, statement) {
  const gateway = await startGateway({ conf: { 'kitsune.server.shutdown.timeout': drain } });
  let conn;
  try {
    conn = await connect(gateway, { mode: 'plain', username: 'alice', password: 'pw' });
    const { session } = await openSession(conn);
    const engineId = await engineIdOf(conn, session);
    const ex = await withTimeout(conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement, runAsync: true }), 30000, 'execute');
    assert.equal(ex.status.statusCode, T.TStatusCode.SUCCESS_STATUS, ex.status.errorMessage);
    // GetOperationStatus long-polls while it runs (so it cannot show RUNNING of a short statement):
    // give the engine a moment to start it instead.
    await sleep(300);
    return { gateway, conn, session, engineId, op: ex.operationHandle };
  } catch (e) {
    conn?.client.close();
    await gateway.stop();
    throw e;
  }
}

// Polls the statement as a client does until it ends; returns what the client saw.
async function outcome(conn, op) {
  try {
    for (;;) {
      const st = await callOrClosed(conn, conn.driver.getOperationStatus({ operationHandle: op }), 'GetOperationStatus');
      if (st.status.statusCode !== T.TStatusCode.SUCCESS_STATUS) return { error: st.status.errorMessage, status: st.status };
      if (ACTIVE.includes(st.operationState)) continue;
      if (st.operationState !== T.TOperationState.FINISHED_STATE) return { state: st.operationState, error: st.errorMessage };
      const rows = await callOrClosed(conn, conn.driver.fetchResults({ operationHandle: op, orientation: T.TFetchOrientation.FETCH_FIRST, maxRows: 10 }), 'FetchResults');
      if (rows.status.statusCode !== T.TStatusCode.SUCCESS_STATUS) return { error: rows.status.errorMessage, status: rows.status };
      return { rows: Object.values(rows.results.columns[0]).find((v) => v?.values).values.map(Number) };
    }
  } catch (e) {
    if (e.closedByServer) return { closed: true };
    throw e;
  }
}

async function expectExit(gateway, ms) {
  const started = Date.now();
  const exit = await withTimeout(gateway.exited, ms, 'kitsune-server to exit after SIGTERM');
  return { exit, elapsed: Date.now() - started };
}

describe('SIGTERM to the gateway', () => {
  it('lets a running statement finish and deliver its rows, then exits 0 with no engine left', async (t) => {
    const { gateway, conn, engineId, op } = await runningStatement('PT30S', SLOW_QUERY);
    try {
      const engine = gateway.engines().find((e) => e.conf['kyuubi.ha.engine.ref.id'] === engineId);
      assert.ok(engine);
      gateway.proc.kill('SIGTERM');
      const seen = await outcome(conn, op);
      t.diagnostic(`the client saw ${JSON.stringify(seen)}`);
      // The client is done: the gateway has nothing left to wait for.
      if (!seen.closed) await callOrClosed(conn, conn.driver.closeOperation({ operationHandle: op }), 'CloseOperation').catch(() => {});
      conn.client.close();
      const { exit } = await expectExit(gateway, 35000);
      assert.deepEqual(exit, { code: 0, signal: null });
      await waitFor(() => gateway.engines().length === 0, 5000, 'no engine left');
      // A statement of a few seconds fits well within a 30 s drain: its rows reach the client.
      assert.deepEqual(seen, { rows: [ROWS] });
    } finally {
      conn.client.close();
      await gateway.stop();
    }
  });

  it('ends a statement that outlasts the drain with a clean error, exits 0 in time, leaves no engine', async (t) => {
    const { gateway, conn, op } = await runningStatement('PT2S', ENDLESS_QUERY);
    try {
      const started = Date.now();
      gateway.proc.kill('SIGTERM');
      const seen = await outcome(conn, op);
      const waited = Date.now() - started;
      t.diagnostic(`the client saw ${JSON.stringify(seen)} after ${waited} ms`);
      const { exit } = await expectExit(gateway, 15000);
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(Date.now() - started < 15000);
      await waitFor(() => gateway.engines().length === 0, 5000, 'no engine left');
      // Never rows from an endless statement: the call the client has in flight is answered with
      // the statement's end (cancelled, or an error), not cut off by a dropped connection; and
      // not long after the drain timeout.
      assert.ok(!seen.rows, JSON.stringify(seen));
      assert.ok(!seen.closed, 'the gateway closed the connection under a pending GetOperationStatus instead of answering it');
      assert.ok(seen.state === T.TOperationState.CANCELED_STATE || seen.state === T.TOperationState.ERROR_STATE || seen.status,
        JSON.stringify(seen));
      // An error says why; "Invalid OperationHandle" for a handle the client rightly holds does not.
      if (seen.state !== T.TOperationState.CANCELED_STATE) assert.match(seen.error ?? '', /shut|stop|cancel/i);
      assert.ok(waited < 12000, `the client waited ${waited} ms`);
    } finally {
      conn.client.close();
      await gateway.stop();
    }
  });

  it('refuses new sessions while it drains', async (t) => {
    const { gateway, conn, op } = await runningStatement('PT30S', SLOW_QUERY);
    try {
      gateway.proc.kill('SIGTERM');
      await gateway.waitForLog(/stopping \(SIGTERM\)/);
      const resp = await callOrClosed(conn, conn.driver.openSession({ client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 }), 'OpenSession');
      assert.notEqual(resp.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      assert.match(resp.status.errorMessage, /shutting down/);
      // The session that was open before goes on until its statement is done.
      const seen = await outcome(conn, op);
      t.diagnostic(`the client saw ${JSON.stringify(seen)}`);
      conn.client.close();
      assert.deepEqual((await expectExit(gateway, 35000)).exit, { code: 0, signal: null });
      assert.deepEqual(seen, { rows: [ROWS] });
    } finally {
      conn.client.close();
      await gateway.stop();
    }
  });

  it('with nothing running, exits promptly however long the drain timeout', async () => {
    const gateway = await startGateway({ conf: { 'kitsune.server.shutdown.timeout': 'PT20S' } });
    const conn = await connect(gateway, { mode: 'plain', username: 'alice', password: 'pw' });
    try {
      // Open sessions with finished, fetched statements.
      for (let i = 0; i < 3; i++) {
        const { session } = await openSession(conn);
        assert.deepEqual(await query(conn, session, `SELECT ${i} AS i`), [{ i }]);
      }
      await sleep(1500);
      gateway.proc.kill('SIGTERM');
      const { exit, elapsed } = await expectExit(gateway, 30000);
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(elapsed < 8000, `idle sessions only, yet the gateway took ${elapsed} ms to exit`);
      await waitFor(() => gateway.engines().length === 0, 5000, 'no engine left');
    } finally {
      conn.client.close();
      await gateway.stop();
    }
  });

  it('does not wait for a statement whose engine died', async () => {
    const { gateway, conn, engineId, op } = await runningStatement('PT20S', ENDLESS_QUERY);
    try {
      const engine = gateway.engines().find((e) => e.conf['kyuubi.ha.engine.ref.id'] === engineId);
      process.kill(engine.pid, 'SIGKILL');
      // The client learns the engine is gone.
      const seen = await outcome(conn, op);
      assert.ok(seen.error && /engine/i.test(seen.error), JSON.stringify(seen));
      await sleep(1500);
      gateway.proc.kill('SIGTERM');
      const { exit, elapsed } = await expectExit(gateway, 30000);
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(elapsed < 8000, `nothing can run on a dead engine, yet the gateway took ${elapsed} ms to exit`);
    } finally {
      conn.client.close();
      await gateway.stop();
    }
  });
});
