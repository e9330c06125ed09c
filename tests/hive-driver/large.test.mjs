// hive-driver against kitsune-engine: a 1,000,000-row result fetched in batches.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { T, connect, int64ToBigInt, openSession, query, startEngine, withTimeout } from './lib/harness.mjs';

const ROWS = 1_000_000;

for (const mode of ['nosasl', 'plain']) {
  describe(`a million rows over ${mode}`, () => {
    let engine;
    let conn;
    let session;
    before(async () => {
      // A small byte cap as well, so that it, not maxRows, ends some batches.
      engine = await startEngine({ auth: mode === 'plain' ? 'NONE' : 'NOSASL', conf: { 'kitsune.engine.fetch.max.bytes': '262144' } });
      conn = await connect(engine, { mode });
      ({ session } = await openSession(conn));
      await query(conn, session, 'CREATE TABLE big (id BIGINT, label STRING)');
      await query(conn, session, `INSERT INTO big
        WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${ROWS})
        SELECT x, 'row-' || x FROM c`);
    });
    after(async () => {
      await session?.close();
      conn?.client.close();
      await engine?.stop();
    });

    it('streams every row exactly once, in batches no larger than asked', async () => {
      const ex = await conn.driver.executeStatement({ sessionHandle: session.sessionHandle, statement: 'SELECT id, label FROM big ORDER BY id' });
      assert.equal(ex.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      const operationHandle = ex.operationHandle;
      let count = 0;
      let sum = 0n;
      let batches = 0;
      let expectedOffset = 0;
      let more = true;
      while (more) {
        const fr = await withTimeout(
          conn.driver.fetchResults({ operationHandle, orientation: T.TFetchOrientation.FETCH_NEXT, maxRows: 50000 }),
          30000, 'FetchResults');
        assert.equal(fr.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
        const ids = fr.results.columns[0].i64Val.values;
        const labels = fr.results.columns[1].stringVal.values;
        assert.ok(ids.length <= 50000);
        assert.equal(Number(fr.results.startRowOffset), expectedOffset);
        for (let i = 0; i < ids.length; i++) {
          const id = int64ToBigInt(ids[i]);
          if (i === 0 || i === ids.length - 1) assert.equal(labels[i], `row-${id}`);
          sum += id;
        }
        count += ids.length;
        expectedOffset += ids.length;
        batches += 1;
        more = fr.hasMoreRows;
        if (more) assert.ok(ids.length > 0);
      }
      assert.equal(count, ROWS);
      assert.equal(sum, BigInt(ROWS) * BigInt(ROWS + 1) / 2n);
      // 256 KiB batches of ~20-byte rows: the byte cap, not maxRows, sized them.
      assert.ok(batches > ROWS / 50000, `only ${batches} batches`);
      // Past the end: an empty, successful batch.
      const end = await conn.driver.fetchResults({ operationHandle, orientation: T.TFetchOrientation.FETCH_NEXT, maxRows: 10 });
      assert.equal(end.status.statusCode, T.TStatusCode.SUCCESS_STATUS);
      assert.equal(end.results.columns[0].i64Val.values.length, 0);
      // FETCH_FIRST starts over.
      const first = await conn.driver.fetchResults({ operationHandle, orientation: T.TFetchOrientation.FETCH_FIRST, maxRows: 3 });
      assert.deepEqual(first.results.columns[0].i64Val.values.map((v) => Number(int64ToBigInt(v))), [1, 2, 3]);
      await conn.driver.closeOperation({ operationHandle });
    });
  });
}
