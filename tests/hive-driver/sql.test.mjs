// hive-driver against kitsune-engine: DDL, DML, every type with NULLs, and the engine's own
// statements (SET, USE, SHOW, DESCRIBE, CREATE/DROP DATABASE, ${var} substitution).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { T, connect, int64ToBigInt, openSession, query, startEngine, withTimeout } from './lib/harness.mjs';

for (const mode of ['plain', 'nosasl']) {
  describe(`SQL through hive-driver over ${mode}`, () => {
    let engine;
    let conn;
    let session;
    before(async () => {
      engine = await startEngine({ auth: mode === 'plain' ? 'NONE' : 'NOSASL' });
      conn = await connect(engine, { mode });
      ({ session } = await openSession(conn));
    });
    after(async () => {
      await session?.close();
      conn?.client.close();
      await engine?.stop();
    });

    const run = (sql, opts) => query(conn, session, sql, opts);
    const raw = (sql, extra = {}) =>
      withTimeout(conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: sql, ...extra }), 30000, sql);

    it('creates a table of every type and reads values and NULLs back', async () => {
      await run(`CREATE TABLE every_type (
        b BOOLEAN, ti TINYINT, si SMALLINT, i INT, bi BIGINT, f FLOAT, d DOUBLE,
        dec DECIMAL(10,2), s STRING, vc VARCHAR(10), c CHAR(5), dt DATE, ts TIMESTAMP, bin BINARY)`);
      await run(`INSERT INTO every_type VALUES
        (TRUE, -7, 300, 70000, 9007199254740993, 1.5, 2.25, 12345.6, 'héllo', 'vc', 'ab',
         '2024-02-29', '2024-01-02 03:04:05.123', X'DEADBEEF')`);
      await run('INSERT INTO every_type VALUES (NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)');

      const ex = await raw('SELECT * FROM every_type ORDER BY b IS NULL');
      assert.equal(ex.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      assert.equal(ex.operationHandle.hasResultSet, true);
      const operationHandle = ex.operationHandle;

      const meta = await conn.driver.getResultSetMetadata({ operationHandle });
      const types = meta.schema.columns.map((c) => [c.columnName, c.typeDesc.types[0].primitiveEntry.type, c.position]);
      assert.deepEqual(types, [
        ['b', T.TTypeId.BOOLEAN_TYPE, 1], ['ti', T.TTypeId.TINYINT_TYPE, 2], ['si', T.TTypeId.SMALLINT_TYPE, 3],
        ['i', T.TTypeId.INT_TYPE, 4], ['bi', T.TTypeId.BIGINT_TYPE, 5], ['f', T.TTypeId.FLOAT_TYPE, 6],
        ['d', T.TTypeId.DOUBLE_TYPE, 7], ['dec', T.TTypeId.DECIMAL_TYPE, 8], ['s', T.TTypeId.STRING_TYPE, 9],
        ['vc', T.TTypeId.VARCHAR_TYPE, 10], ['c', T.TTypeId.CHAR_TYPE, 11], ['dt', T.TTypeId.DATE_TYPE, 12],
        ['ts', T.TTypeId.TIMESTAMP_TYPE, 13], ['bin', T.TTypeId.BINARY_TYPE, 14],
      ]);
      const q = (name) => meta.schema.columns.find((c) => c.columnName === name).typeDesc.types[0].primitiveEntry.typeQualifiers.qualifiers;
      assert.equal(q('dec').precision.i32Value, 10);
      assert.equal(q('dec').scale.i32Value, 2);
      assert.equal(q('vc').characterMaximumLength.i32Value, 10);
      assert.equal(q('c').characterMaximumLength.i32Value, 5);

      const fr = await conn.driver.fetchResults({ operationHandle, orientation: T.TFetchOrientation.FETCH_NEXT, maxRows: 10 });
      assert.equal(fr.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      assert.equal(fr.hasMoreRows, false);
      assert.deepEqual(fr.results.rows, []);
      const [b, ti, si, i, bi, f, d, dec, s, vc, c, dt, ts, bin] = fr.results.columns;
      assert.deepEqual(b.boolVal.values, [true, false]);
      assert.deepEqual(ti.byteVal.values, [-7, 0]);
      assert.deepEqual(si.i16Val.values, [300, 0]);
      assert.deepEqual(i.i32Val.values, [70000, 0]);
      assert.equal(int64ToBigInt(bi.i64Val.values[0]), 9007199254740993n);
      assert.deepEqual(f.doubleVal.values, [1.5, 0]);
      assert.deepEqual(d.doubleVal.values, [2.25, 0]);
      assert.deepEqual(dec.stringVal.values, ['12345.60', '']);
      assert.deepEqual(s.stringVal.values, ['héllo', '']);
      assert.deepEqual(vc.stringVal.values, ['vc', '']);
      assert.deepEqual(c.stringVal.values, ['ab', '']);
      assert.deepEqual(dt.stringVal.values, ['2024-02-29', '']);
      assert.deepEqual(ts.stringVal.values, ['2024-01-02 03:04:05.123', '']);
      assert.equal(bin.binaryVal.values[0].toString('hex'), 'deadbeef');
      // Row 1 is NULL in every column: bit 1 of each bitmap, and nothing else.
      for (const col of fr.results.columns) {
        const kind = Object.values(col).find((v) => v);
        assert.deepEqual([...kind.nulls], [0b10], JSON.stringify(col));
      }
      await conn.driver.closeOperation({ operationHandle });

      // The same through hive-driver's own value conversion.
      const rows = await run('SELECT b, i, dec, s, dt, ts, bin FROM every_type ORDER BY b IS NULL');
      assert.deepEqual(rows[1], { b: null, i: null, dec: null, s: null, dt: null, ts: null, bin: null });
      assert.equal(rows[0].b, true);
      assert.equal(rows[0].i, 70000);
      assert.equal(rows[0].dec, 12345.6);
      assert.equal(rows[0].ts, '2024-01-02 03:04:05.123');
    });

    it('keeps STRING values as text, as Hive does', async () => {
      await run('CREATE TABLE codes (code STRING)');
      await run("INSERT INTO codes VALUES ('007'), ('1e3')");
      assert.deepEqual(await run('SELECT code FROM codes ORDER BY code'), [{ code: '007' }, { code: '1e3' }]);
      assert.deepEqual(await run("SELECT CAST('007' AS STRING) AS c"), [{ c: '007' }]);
      assert.deepEqual(await run('DESCRIBE codes'), [{ col_name: 'code', data_type: 'string', comment: '' }]);
    });

    it('reports DML row counts in numModifiedRows', async () => {
      await run('CREATE TABLE counted (id INT PRIMARY KEY, v STRING)');
      const ex = await raw("INSERT INTO counted VALUES (1,'a'),(2,'b'),(3,'c')", { runAsync: true });
      assert.equal(ex.operationHandle.hasResultSet, false);
      let st;
      do {
        st = await conn.driver.getOperationStatus({ operationHandle: ex.operationHandle });
      } while ([T.TOperationState.PENDING_STATE, T.TOperationState.RUNNING_STATE].includes(st.operationState));
      assert.equal(st.operationState, T.TOperationState.FINISHED_STATE);
      assert.equal(st.numModifiedRows.toNumber(), 3);
      assert.ok(st.operationCompleted.toNumber() >= st.operationStarted.toNumber());

      const upd = await raw("UPDATE counted SET v = 'z' WHERE id >= 2", { runAsync: false });
      const st2 = await conn.driver.getOperationStatus({ operationHandle: upd.operationHandle });
      assert.equal(st2.numModifiedRows.toNumber(), 2);
      assert.deepEqual(await run('SELECT id, v FROM counted ORDER BY id'), [
        { id: 1, v: 'a' }, { id: 2, v: 'z' }, { id: 3, v: 'z' },
      ]);
    });

    it('applies a statement\'s confOverlay to that statement only', async () => {
      const withOverlay = await raw("SELECT '${hiveconf:who}' AS w", { confOverlay: { who: 'ann' } });
      const fr = await conn.driver.fetchResults({ operationHandle: withOverlay.operationHandle, orientation: T.TFetchOrientation.FETCH_NEXT, maxRows: 5 });
      assert.deepEqual(fr.results.columns[0].stringVal.values, ['ann']);
      const shown = await raw('SET who', { confOverlay: { who: 'ann' } });
      const fr2 = await conn.driver.fetchResults({ operationHandle: shown.operationHandle, orientation: T.TFetchOrientation.FETCH_NEXT, maxRows: 5 });
      assert.deepEqual(fr2.results.columns[0].stringVal.values, ['who=ann']);
      assert.deepEqual(await run('SET who'), [{ set: 'who is undefined' }]);
    });

    it('keeps session settings with SET and shows them, including kyuubi.engine.id', async () => {
      await run('SET my.key=some value');
      assert.deepEqual(await run('SET my.key'), [{ set: 'my.key=some value' }]);
      assert.deepEqual(await run('SET no.such.key'), [{ set: 'no.such.key is undefined' }]);
      const [{ set: engineId }] = await run('SET kyuubi.engine.id');
      assert.match(engineId, /^kyuubi\.engine\.id=\S+$/);
      const all = (await run('SET')).map((r) => r.set);
      assert.ok(all.includes('my.key=some value'), all.join('\n'));
      await run('SET hivevar:table_name=counted');
      assert.deepEqual(await run('SELECT count(*) AS n FROM ${hivevar:table_name}'), [{ n: 3 }]);
    });

    it('switches databases with USE, lists them with SHOW, and describes tables', async () => {
      await run('CREATE DATABASE sales');
      await run('CREATE DATABASE IF NOT EXISTS sales');
      const again = await raw('CREATE DATABASE sales');
      assert.equal(again.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.match(again.status.errorMessage, /already exists/);
      assert.deepEqual((await run('SHOW DATABASES')).map((r) => r.database_name), ['default', 'sales']);
      assert.deepEqual((await run("SHOW SCHEMAS LIKE 's*'")).map((r) => r.database_name), ['sales']);

      await run('USE sales');
      await run('CREATE TABLE orders (id BIGINT, amount DECIMAL(8,2), placed DATE)');
      await run("INSERT INTO orders VALUES (1, 9.5, '2024-05-01')");
      assert.deepEqual((await run('SHOW TABLES')).map((r) => r.tab_name), ['orders']);
      assert.deepEqual(await run('DESCRIBE orders'), [
        { col_name: 'id', data_type: 'bigint', comment: '' },
        { col_name: 'amount', data_type: 'decimal(8,2)', comment: '' },
        { col_name: 'placed', data_type: 'date', comment: '' },
      ]);
      // Hive users qualify names with default. even where SQLite has a keyword.
      assert.deepEqual(await run('SELECT count(*) AS n FROM default.counted'), [{ n: 3 }]);
      await run('USE default');
      assert.deepEqual(await run('SELECT id FROM sales.orders'), [{ id: 1 }]);
      assert.deepEqual((await run("SHOW TABLES IN sales LIKE 'ord*'")).map((r) => r.tab_name), ['orders']);

      const notEmpty = await raw('DROP DATABASE sales');
      assert.equal(notEmpty.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.match(notEmpty.status.errorMessage, /is not empty/);
      await run('DROP DATABASE sales CASCADE');
      assert.deepEqual((await run('SHOW DATABASES')).map((r) => r.database_name), ['default']);
    });

    it('starts a session in the database and with the variables the client asks for', async () => {
      await run('CREATE DATABASE IF NOT EXISTS hr');
      await run('CREATE TABLE hr.people (name STRING)');
      await run("INSERT INTO hr.people VALUES ('ann')");
      const { session: s2 } = await openSession(conn, {
        configuration: { 'use:database': 'hr', 'set:hivevar:who': 'ann', 'set:hiveconf:my.conf': 'x' },
      });
      assert.deepEqual(await query(conn, s2, "SELECT name FROM people WHERE name = '${who}'"), [{ name: 'ann' }]);
      assert.deepEqual(await query(conn, s2, 'SET my.conf'), [{ set: 'my.conf=x' }]);
      await s2.close();
      const missing = await conn.driver.openSession({ client_protocol: 9, configuration: { 'use:database': 'nope' } });
      assert.equal(missing.status.statusCode, T.TStatusCode.ERROR_STATUS);
      assert.match(missing.status.errorMessage, /nope/);
    });

    it('sends rows, not columns, to clients older than V6', async () => {
      const { session: old } = await openSession(conn, { protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V5 });
      const ex = await conn.driver.executeStatement({ sessionHandle: old.sessionHandle, statement: "SELECT 1 AS a, 'x' AS b, NULL AS c" });
      const fr = await conn.driver.fetchResults({ operationHandle: ex.operationHandle, orientation: T.TFetchOrientation.FETCH_NEXT, maxRows: 5 });
      assert.equal(fr.results.columns, null);
      assert.equal(fr.results.rows.length, 1);
      const [a, b, c] = fr.results.rows[0].colVals;
      assert.equal(a.i64Val.value.toNumber(), 1);
      assert.equal(b.stringVal.value, 'x');
      assert.equal(c.stringVal.value, null);
      await old.close();
    });
  });
}
