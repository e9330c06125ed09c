// hive-driver against the kitsune-server gateway, which launches a kitsune-engine for the session
// and proxies every call: SQL, metadata, GetInfo, the LaunchEngine operation and its log,
// synchronous and asynchronous statements, and the engine's errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  StatusError, T, connect, engineIdOf, launchHandleOf, openSession, operationLog, query, startGateway, waitFor, withTimeout,
} from './lib/harness.mjs';

// The values of a TColumn, whatever its type, as numbers or strings.
const valuesOf = (column) => {
  const set = Object.values(column).find((v) => v && Array.isArray(v.values));
  return set.values.map((v) => (typeof v === 'object' && v !== null && 'buffer' in v ? v.toNumber() : v));
};

for (const mode of ['plain', 'nosasl']) {
  describe(`the gateway over ${mode === 'plain' ? 'SASL PLAIN' : 'NOSASL'}`, () => {
    let gateway;
    let conn;
    let session;
    let openResp;
    let firstLog;
    before(async () => {
      gateway = await startGateway({ auth: mode === 'plain' ? 'NONE' : 'NOSASL' });
      conn = await connect(gateway, { mode, username: 'alice', password: 'secret' });
      ({ resp: openResp, session } = await openSession(conn, { username: 'alice' }));
      // The first statement of the session: its log starts with how the engine was launched.
      const ex = await withTimeout(
        conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: 'SELECT 1 AS one' }),
        30000,
        'first statement',
      );
      assert.equal(ex.status.statusCode, T.TStatusCode.SUCCESS_STATUS, ex.status.errorMessage);
      firstLog = await operationLog(conn, ex.operationHandle);
      await conn.driver.closeOperation({ operationHandle: ex.operationHandle });
    });
    after(async () => {
      await session?.close().catch(() => {});
      conn?.client.close();
      const result = await gateway?.stop();
      assert.deepEqual(result, { code: 0, signal: null });
    });

    it('answers OpenSession with the launch handle and the fetch size', () => {
      const c = openResp.configuration;
      assert.equal(openResp.serverProtocolVersion, T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10);
      assert.equal(Buffer.from(c['kyuubi.session.engine.launch.handle.guid'], 'base64').length, 16);
      assert.equal(Buffer.from(c['kyuubi.session.engine.launch.handle.secret'], 'base64').length, 16);
      assert.equal(c['kyuubi.session.engine.launch.support.result'], 'true');
      assert.equal(c['hive.server2.thrift.resultset.default.fetch.size'], '1000');
    });

    it('reports the launch operation as finished, with the launch log', async () => {
      const operationHandle = launchHandleOf(openResp);
      const st = await withTimeout(conn.driver.getOperationStatus({ operationHandle }), 10000, 'GetOperationStatus');
      assert.equal(st.status.statusCode, T.TStatusCode.SUCCESS_STATUS, st.status.errorMessage);
      assert.equal(st.operationState, T.TOperationState.FINISHED_STATE);
      const lines = await operationLog(conn, operationHandle);
      assert.match(lines[0], /^Session \S+ of alice routed to USER LOCAL engine/);
      const engineId = await engineIdOf(conn, session);
      assert.ok(lines.some((l) => l.includes(`Launching LOCAL engine ${engineId}`)), lines.join('\n'));
      assert.ok(lines.some((l) => l.includes(`Engine ${engineId} is up at 127.0.0.1:`)), lines.join('\n'));
    });

    it("starts the first statement's log with the launch lines", async () => {
      const launchLines = await operationLog(conn, launchHandleOf(openResp));
      assert.ok(launchLines.length >= 2, launchLines.join('\n'));
      assert.deepEqual(firstLog.slice(0, launchLines.length), launchLines);
      assert.ok(firstLog.slice(launchLines.length).some((l) => l.includes('Executing statement: SELECT 1 AS one')), firstLog.join('\n'));
      // Only the first one.
      const ex = await conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: 'SELECT 2' });
      const second = await operationLog(conn, ex.operationHandle);
      assert.ok(!second.some((l) => /routed to|Launching/.test(l)), second.join('\n'));
      assert.ok(second.some((l) => l.includes('Executing statement: SELECT 2')), second.join('\n'));
      await conn.driver.closeOperation({ operationHandle: ex.operationHandle });
    });

    it('creates, fills and reads a table', async () => {
      await query(conn, session, 'CREATE TABLE pets (id INT, name STRING, weight DOUBLE)');
      await query(conn, session, "INSERT INTO pets VALUES (1, 'cat', 4.5), (2, 'dog', 12.25), (3, NULL, NULL)");
      assert.deepEqual(await query(conn, session, 'SELECT id, name, weight FROM pets ORDER BY id'), [
        { id: 1, name: 'cat', weight: 4.5 },
        { id: 2, name: 'dog', weight: 12.25 },
        { id: 3, name: null, weight: null },
      ]);
      assert.deepEqual(await query(conn, session, 'SELECT count(*) AS n FROM pets', { runAsync: true }), [{ n: 3 }]);
    });

    it('runs statements synchronously and asynchronously', async () => {
      const sync = await withTimeout(
        conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: 'SELECT 40 + 2 AS answer', runAsync: false }),
        30000,
        'sync execute',
      );
      assert.equal(sync.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      // A synchronous statement is finished when ExecuteStatement returns.
      const syncSt = await conn.driver.getOperationStatus({ operationHandle: sync.operationHandle });
      assert.equal(syncSt.operationState, T.TOperationState.FINISHED_STATE);
      const syncRows = await conn.driver.fetchResults({ operationHandle: sync.operationHandle, orientation: T.TFetchOrientation.FETCH_FIRST, maxRows: 10 });
      assert.equal(syncRows.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      assert.deepEqual(valuesOf(syncRows.results.columns[0]), [42]);
      await conn.driver.closeOperation({ operationHandle: sync.operationHandle });

      const async = await withTimeout(
        conn.driver.executeStatement({
          sessionHandle: session.sessionHandle,
          statement: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT sum(x) AS s FROM c',
          runAsync: true,
        }),
        30000,
        'async execute',
      );
      assert.equal(async.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      const st = await waitFor(async () => {
        const r = await withTimeout(conn.driver.getOperationStatus({ operationHandle: async.operationHandle }), 10000, 'status');
        return [T.TOperationState.PENDING_STATE, T.TOperationState.RUNNING_STATE].includes(r.operationState) ? null : r;
      }, 30000, 'the async statement to finish');
      assert.equal(st.operationState, T.TOperationState.FINISHED_STATE);
      const rows = await conn.driver.fetchResults({ operationHandle: async.operationHandle, orientation: T.TFetchOrientation.FETCH_FIRST, maxRows: 10 });
      assert.equal(rows.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      assert.deepEqual(valuesOf(rows.results.columns[0]), [300000 * 300001 / 2]);
      await conn.driver.closeOperation({ operationHandle: async.operationHandle });
    });

    it('lists tables and columns through the metadata calls', async () => {
      await query(conn, session, 'CREATE TABLE meta_t (k BIGINT PRIMARY KEY, v VARCHAR(10))');
      const rowsOf = async (opPromise) => {
        const op = await withTimeout(opPromise, 10000, 'metadata call');
        await withTimeout(conn.utils.waitUntilReady(op, false), 10000, 'metadata ready');
        op.setMaxRows(1000);
        await withTimeout(conn.utils.fetchAll(op), 10000, 'metadata fetch');
        const rows = conn.utils.getResult(op).getValue();
        await op.close();
        return rows;
      };
      const tables = await rowsOf(session.getTables({ schemaName: 'default', tableName: 'meta%' }));
      assert.deepEqual(tables.map((r) => [r.TABLE_SCHEM, r.TABLE_NAME, r.TABLE_TYPE]), [['default', 'meta_t', 'TABLE']]);
      const columns = await rowsOf(session.getColumns({ schemaName: 'default', tableName: 'meta_t', columnName: '%' }));
      assert.deepEqual(columns.map((r) => [r.COLUMN_NAME, r.DATA_TYPE, r.TYPE_NAME, r.ORDINAL_POSITION]), [
        ['k', -5, 'BIGINT', 1], ['v', 12, 'VARCHAR(10)', 2],
      ]);
      const schemas = await rowsOf(session.getSchemas({ schemaName: '%' }));
      assert.ok(schemas.some((r) => r.TABLE_SCHEM === 'default'));
    });

    it('answers GetInfo from the engine', async () => {
      assert.equal((await session.getInfo(T.TGetInfoType.CLI_SERVER_NAME)).getValue(), 'Kitsune');
      assert.equal((await session.getInfo(T.TGetInfoType.CLI_DBMS_NAME)).getValue(), 'SQLite');
      assert.match((await session.getInfo(T.TGetInfoType.CLI_DBMS_VER)).getValue(), /^3\.\d+\.\d+/);
      assert.equal((await session.getInfo(T.TGetInfoType.CLI_USER_NAME)).getValue(), 'alice');
    });

    it("returns the engine's error for bad SQL, with its SQLSTATE, and the session lives on", async () => {
      const syntax = await withTimeout(conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: 'SELEC 1' }), 30000, 'bad SQL');
      assert.equal(syntax.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.equal(syntax.status.sqlState, '42000');
      assert.match(syntax.status.errorMessage, /near "SELEC": syntax error/);
      const missing = await withTimeout(
        conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: 'SELECT * FROM no_such_table', runAsync: true }),
        30000,
        'missing table',
      );
      // Asynchronously: either ExecuteStatement or the operation's status carries the error.
      let status = missing.status;
      if (status.statusCode === T.TStatusCode.SUCCESS_STATUS) {
        status = await waitFor(async () => {
          const r = await conn.driver.getOperationStatus({ operationHandle: missing.operationHandle });
          return [T.TOperationState.PENDING_STATE, T.TOperationState.RUNNING_STATE].includes(r.operationState) ? null : r;
        }, 30000, 'the failing statement to end');
        assert.equal(status.operationState, T.TOperationState.ERROR_STATE);
      } else {
        assert.equal(status.statusCode, T.TStatusCode.ERROR_STATUS);
      }
      assert.equal(status.sqlState, '42S02');
      assert.match(status.errorMessage, /no such table: no_such_table/);
      await assert.rejects(session.executeStatement('SELEC 1'), (e) => e instanceof StatusError && /syntax error/.test(e.message));
      assert.deepEqual(await query(conn, session, 'SELECT 7 AS seven'), [{ seven: 7 }]);
    });
  });
}
