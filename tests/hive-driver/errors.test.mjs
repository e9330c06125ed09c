// hive-driver against kitsune-engine: bad statements, unknown handles, cancel, timeouts, the
// operation log, and the calls the engine does not provide.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { StatusError, T, connect, openSession, query, startEngine, withTimeout } from './lib/harness.mjs';

const LONG_QUERY = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

for (const mode of ['plain', 'nosasl']) {
  describe(`errors and control through hive-driver over ${mode}`, () => {
    let engine;
    let conn;
    let session;
    before(async () => {
      engine = await startEngine({
        auth: mode === 'plain' ? 'NONE' : 'NOSASL',
        conf: { 'kyuubi.operation.status.polling.timeout': 'PT0.2S' },
      });
      conn = await connect(engine, { mode });
      ({ session } = await openSession(conn));
    });
    after(async () => {
      await session?.close();
      conn?.client.close();
      await engine?.stop();
    });

    const raw = (sql, extra = {}) =>
      withTimeout(conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: sql, ...extra }), 30000, sql);
    const waitWhileRunning = async (operationHandle) => {
      let st;
      do {
        st = await withTimeout(conn.driver.getOperationStatus({ operationHandle }), 10000, 'GetOperationStatus');
      } while ([T.TOperationState.PENDING_STATE, T.TOperationState.RUNNING_STATE].includes(st.operationState));
      return st;
    };

    it('answers a bad statement with an error status, SQLSTATE and message, and the session lives on', async () => {
      const syntax = await raw('SELEC 1');
      assert.equal(syntax.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.equal(syntax.status.sqlState, '42000');
      assert.match(syntax.status.errorMessage, /syntax error/);

      const missing = await raw('SELECT * FROM no_such_table');
      assert.equal(missing.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.equal(missing.status.sqlState, '42S02');
      assert.match(missing.status.errorMessage, /no such table: no_such_table/);

      // hive-driver's own API throws its StatusError for the same thing.
      await assert.rejects(session.executeStatement('SELEC 1'), (e) => e instanceof StatusError && /syntax error/.test(e.message));

      assert.deepEqual(await query(conn, session, 'SELECT 2 AS two'), [{ two: 2 }]);
    });

    it('reports a failure of an asynchronous statement in GetOperationStatus', async () => {
      await query(conn, session, 'CREATE TABLE uniq (id INT PRIMARY KEY)');
      await query(conn, session, 'INSERT INTO uniq VALUES (1)');
      const ex = await raw('INSERT INTO uniq VALUES (1)', { runAsync: true });
      assert.equal(ex.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      const st = await waitWhileRunning(ex.operationHandle);
      assert.equal(st.operationState, T.TOperationState.ERROR_STATE);
      assert.equal(st.sqlState, '23000');
      assert.match(st.errorMessage, /UNIQUE constraint failed/);
      const fetch = await conn.driver.fetchResults({ operationHandle: ex.operationHandle, orientation: T.TFetchOrientation.FETCH_NEXT, maxRows: 1 });
      assert.equal(fetch.status.statusCode, T.TStatusCode.ERROR_STATUS);
    });

    it('answers unknown handles with INVALID_HANDLE_STATUS', async () => {
      const fakeSession = { sessionId: { guid: randomBytes(16), secret: randomBytes(16) } };
      const fakeOp = { operationId: { guid: randomBytes(16), secret: randomBytes(16) }, operationType: 0, hasResultSet: true };
      const r1 = await conn.driver.executeStatement({ sessionHandle: fakeSession, statement: 'SELECT 1' });
      assert.equal(r1.status.statusCode, T.TStatusCode.INVALID_HANDLE_STATUS);
      assert.match(r1.status.errorMessage, /Invalid SessionHandle/);
      const r2 = await conn.driver.getOperationStatus({ operationHandle: fakeOp });
      assert.equal(r2.status.statusCode, T.TStatusCode.INVALID_HANDLE_STATUS);
      const r3 = await conn.driver.fetchResults({ operationHandle: fakeOp, orientation: 0, maxRows: 1 });
      assert.equal(r3.status.statusCode, T.TStatusCode.INVALID_HANDLE_STATUS);
      // A real guid with a forged secret is no better.
      const ex = await raw('SELECT 1');
      const forged = { ...ex.operationHandle, operationId: { guid: ex.operationHandle.operationId.guid, secret: randomBytes(16) } };
      const r4 = await conn.driver.closeOperation({ operationHandle: forged });
      assert.equal(r4.status.statusCode, T.TStatusCode.INVALID_HANDLE_STATUS);
      // A closed operation is gone.
      await conn.driver.closeOperation({ operationHandle: ex.operationHandle });
      const r5 = await conn.driver.getOperationStatus({ operationHandle: ex.operationHandle });
      assert.equal(r5.status.statusCode, T.TStatusCode.INVALID_HANDLE_STATUS);
    });

    it('cancels a long-running query, and the session stays usable', async () => {
      const ex = await raw(LONG_QUERY, { runAsync: true });
      assert.equal(ex.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      let st;
      do {
        st = await conn.driver.getOperationStatus({ operationHandle: ex.operationHandle });
      } while (st.operationState === T.TOperationState.PENDING_STATE);
      assert.equal(st.operationState, T.TOperationState.RUNNING_STATE);
      const started = Date.now();
      const cancel = await conn.driver.cancelOperation({ operationHandle: ex.operationHandle });
      assert.equal(cancel.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      st = await waitWhileRunning(ex.operationHandle);
      assert.equal(st.operationState, T.TOperationState.CANCELED_STATE);
      assert.ok(Date.now() - started < 5000);
      assert.deepEqual(await query(conn, session, 'SELECT 3 AS three'), [{ three: 3 }]);
      await conn.driver.closeOperation({ operationHandle: ex.operationHandle });
    });

    it('times a statement out after queryTimeout seconds', async () => {
      const ex = await raw(LONG_QUERY, { runAsync: true, queryTimeout: 1 });
      const st = await waitWhileRunning(ex.operationHandle);
      assert.equal(st.operationState, T.TOperationState.TIMEDOUT_STATE);
      assert.match(st.errorMessage, /timed out after 1 seconds/);
      // A synchronous one fails in ExecuteStatement itself.
      const sync = await raw(LONG_QUERY, { runAsync: false, queryTimeout: 1 });
      assert.equal(sync.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.match(sync.status.errorMessage, /timed out/);
    });

    it('returns the operation log with fetchType 1 and a query id', async () => {
      const ex = await raw('SELECT 42');
      const log = await conn.driver.fetchResults({ operationHandle: ex.operationHandle, orientation: T.TFetchOrientation.FETCH_FIRST, maxRows: 100, fetchType: 1 });
      assert.equal(log.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      const lines = log.results.columns[0].stringVal.values;
      assert.ok(lines.some((l) => l.includes('Executing statement: SELECT 42')), lines.join('\n'));
      const qid = await conn.driver.getQueryId({ operationHandle: ex.operationHandle });
      assert.match(qid.queryId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const info = await conn.driver.setClientInfo({ sessionHandle: session.sessionHandle, configuration: { ApplicationName: 'test' } });
      assert.equal(info.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
    });

    it('says clearly what it does not support', async () => {
      const token = await conn.driver.getDelegationToken({ sessionHandle: session.sessionHandle, owner: 'a', renewer: 'b' });
      assert.equal(token.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.match(token.status.errorMessage, /not supported/);
      const ex = await raw('SELECT 1');
      const prior = await conn.driver.fetchResults({ operationHandle: ex.operationHandle, orientation: T.TFetchOrientation.FETCH_PRIOR, maxRows: 1 });
      assert.equal(prior.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.match(prior.status.errorMessage, /FETCH_NEXT or FETCH_FIRST/);
      const two = await raw('SELECT 1; SELECT 2');
      assert.equal(two.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.match(two.status.errorMessage, /one statement/);
    });
  });
}
