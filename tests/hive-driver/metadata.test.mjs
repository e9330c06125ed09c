// hive-driver against kitsune-engine: every metadata call, with patterns.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { connect, openSession, query, startEngine, withTimeout } from './lib/harness.mjs';

for (const mode of ['plain', 'nosasl']) {
  describe(`metadata calls through hive-driver over ${mode}`, () => {
    let engine;
    let conn;
    let session;
    const rowsOf = async (opPromise) => {
      const op = await withTimeout(opPromise, 10000, 'metadata call');
      await conn.utils.waitUntilReady(op, false);
      op.setMaxRows(1000);
      await conn.utils.fetchAll(op);
      const rows = conn.utils.getResult(op).getValue();
      const columns = op.getSchema().columns.map((c) => c.columnName);
      await op.close();
      return { rows, columns };
    };

    before(async () => {
      engine = await startEngine({ auth: mode === 'plain' ? 'NONE' : 'NOSASL' });
      conn = await connect(engine, { mode });
      ({ session } = await openSession(conn, { username: 'meta' }));
      for (const sql of [
        'CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(20) NOT NULL)',
        `CREATE TABLE child (a INT, b INT, parent_id INT REFERENCES parent(id) ON DELETE CASCADE ON UPDATE SET NULL,
                             note STRING DEFAULT 'none', PRIMARY KEY (a, b))`,
        'CREATE VIEW parent_names AS SELECT name FROM parent',
        'CREATE DATABASE sales',
        'CREATE TABLE sales.orders (id BIGINT, total DECIMAL(12,2))',
      ]) {
        await query(conn, session, sql);
      }
    });
    after(async () => {
      await session?.close();
      conn?.client.close();
      await engine?.stop();
    });

    it('GetCatalogs has Hive\'s column and no catalogs', async () => {
      const { rows, columns } = await rowsOf(session.getCatalogs());
      assert.deepEqual(columns, ['TABLE_CAT']);
      assert.deepEqual(rows, []);
    });

    it('GetSchemas lists databases matching the pattern', async () => {
      const all = await rowsOf(session.getSchemas({ schemaName: '%' }));
      assert.deepEqual(all.columns, ['TABLE_SCHEM', 'TABLE_CATALOG']);
      assert.deepEqual(all.rows.map((r) => r.TABLE_SCHEM), ['default', 'sales']);
      const some = await rowsOf(session.getSchemas({ schemaName: 'S_l%' }));
      assert.deepEqual(some.rows.map((r) => r.TABLE_SCHEM), ['sales']);
    });

    it('GetTables lists tables and views, filtered by pattern and type', async () => {
      const all = await rowsOf(session.getTables({ schemaName: '%', tableName: '%' }));
      assert.deepEqual(all.columns, ['TABLE_CAT', 'TABLE_SCHEM', 'TABLE_NAME', 'TABLE_TYPE', 'REMARKS', 'TYPE_CAT',
        'TYPE_SCHEM', 'TYPE_NAME', 'SELF_REFERENCING_COL_NAME', 'REF_GENERATION']);
      const names = all.rows.map((r) => `${r.TABLE_SCHEM}.${r.TABLE_NAME}:${r.TABLE_TYPE}`).sort();
      assert.deepEqual(names, ['default.child:TABLE', 'default.parent:TABLE', 'default.parent_names:VIEW', 'sales.orders:TABLE']);
      const views = await rowsOf(session.getTables({ schemaName: 'default', tableName: 'par%', tableTypes: ['VIEW'] }));
      assert.deepEqual(views.rows.map((r) => r.TABLE_NAME), ['parent_names']);
    });

    it('GetTableTypes lists TABLE and VIEW', async () => {
      const { rows } = await rowsOf(session.getTableTypes());
      assert.deepEqual(rows.map((r) => r.TABLE_TYPE), ['TABLE', 'VIEW']);
    });

    it('GetColumns describes columns as JDBC expects', async () => {
      const { rows, columns } = await rowsOf(session.getColumns({ schemaName: 'default', tableName: 'child', columnName: '%' }));
      assert.equal(columns.length, 23);
      assert.deepEqual(rows.map((r) => [r.COLUMN_NAME, r.DATA_TYPE, r.TYPE_NAME, r.ORDINAL_POSITION]), [
        ['a', 4, 'INT', 1], ['b', 4, 'INT', 2], ['parent_id', 4, 'INT', 3], ['note', 12, 'STRING', 4],
      ]);
      const note = rows.find((r) => r.COLUMN_NAME === 'note');
      assert.equal(note.COLUMN_DEF, "'none'");
      assert.equal(note.IS_NULLABLE, 'YES');
      const name = (await rowsOf(session.getColumns({ schemaName: 'default', tableName: 'parent', columnName: 'na_e' }))).rows;
      assert.equal(name.length, 1);
      assert.equal(name[0].TYPE_NAME, 'VARCHAR(20)');
      assert.equal(name[0].COLUMN_SIZE, 20);
      assert.equal(name[0].NULLABLE, 0);
      assert.equal(name[0].IS_NULLABLE, 'NO');
      const total = (await rowsOf(session.getColumns({ schemaName: 'sales', tableName: 'orders', columnName: 'total' }))).rows[0];
      assert.equal(total.DATA_TYPE, 3);
      assert.equal(total.COLUMN_SIZE, 12);
      assert.equal(total.DECIMAL_DIGITS, 2);
    });

    it('GetTypeInfo lists the types with their JDBC codes', async () => {
      const { rows, columns } = await rowsOf(session.getTypeInfo());
      assert.equal(columns.length, 18);
      const byName = Object.fromEntries(rows.map((r) => [r.TYPE_NAME, r]));
      assert.equal(byName.INT.DATA_TYPE, 4);
      assert.equal(byName.BIGINT.DATA_TYPE, -5);
      assert.equal(byName.STRING.DATA_TYPE, 12);
      assert.equal(byName.DECIMAL.MAXIMUM_SCALE, 38);
    });

    it('GetFunctions finds functions by pattern', async () => {
      const { rows, columns } = await rowsOf(session.getFunctions({ functionName: 'upp%' }));
      assert.deepEqual(columns, ['FUNCTION_CAT', 'FUNCTION_SCHEM', 'FUNCTION_NAME', 'REMARKS', 'FUNCTION_TYPE', 'SPECIFIC_NAME']);
      assert.deepEqual(rows.map((r) => r.FUNCTION_NAME), ['upper']);
    });

    it('GetPrimaryKeys lists a composite key in order', async () => {
      const { rows } = await rowsOf(session.getPrimaryKeys({ schemaName: 'default', tableName: 'child' }));
      assert.deepEqual(rows.map((r) => [r.COLUMN_NAME, r.KEQ_SEQ]), [['a', 1], ['b', 2]]);
    });

    it('GetCrossReference links a foreign key to its parent with its rules', async () => {
      const { rows } = await rowsOf(session.getCrossReference({
        parentSchemaName: 'default', parentTableName: 'parent', foreignSchemaName: 'default', foreignTableName: 'child',
      }));
      assert.equal(rows.length, 1);
      const [fk] = rows;
      assert.equal(fk.PKTABLE_NAME, 'parent');
      assert.equal(fk.PKCOLUMN_NAME, 'id');
      assert.equal(fk.FKTABLE_NAME, 'child');
      assert.equal(fk.FKCOLUMN_NAME, 'parent_id');
      assert.equal(fk.DELETE_RULE, 0); // CASCADE
      assert.equal(fk.UPDATE_RULE, 2); // SET NULL
    });
  });
}
