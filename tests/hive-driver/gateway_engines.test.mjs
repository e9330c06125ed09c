// Engine types through the gateway, with hive-driver: a JDBC engine on a real PostgreSQL, and
// Kyuubi's Spark engine contract end to end through a real ZooKeeper, with a STAND-IN
// spark-submit (Spark cannot run here; tests/standins/spark-submit-standin checks how it was
// called and runs kitsune-engine in the Spark engine's place). The engine type is chosen per
// server, per user default and per session.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ENGINE, connect, openSession, query, startGateway, waitFor, withTimeout } from './lib/harness.mjs';
import { startPostgres } from './lib/postgres.mjs';
import { startZooKeeper } from './lib/zookeeper.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const STANDIN = join(here, '..', 'standins', 'spark-submit-standin');
const KYUUBI_VERSION = '1.12.0';
const DB_PASSWORD = 'Pg-Engine-Secret-5150';
const S3_SECRET = 'S3-Secret-Never-On-A-Line-8472';

// Every string the processes under test wrote or were started with, for the secret checks.
function cmdlinesOf(engines) {
  return engines.map((e) => e.argv.join(' ')).join('\n');
}

describe('engine types through the gateway', () => {
  let pg;
  let zk;
  let gw;
  let sparkHome;
  let record;
  let kyuubiHome;

  before(async () => {
    [pg, zk] = await Promise.all([startPostgres(), startZooKeeper()]);
    await pg.sql(
      `CREATE ROLE shop_app LOGIN PASSWORD '${DB_PASSWORD}';\n` +
        'CREATE DATABASE shop OWNER shop_app;\n',
    );
    // A Spark installation whose spark-submit is the stand-in, and Kyuubi's engine jar.
    const root = join(pg.dir, '..', `${pg.dir.split('/').pop()}-spark`);
    sparkHome = join(root, 'spark');
    record = join(root, 'record');
    kyuubiHome = join(root, 'kyuubi');
    await mkdir(join(sparkHome, 'bin'), { recursive: true });
    await mkdir(join(sparkHome, 'conf'), { recursive: true });
    await mkdir(record, { recursive: true });
    await mkdir(join(kyuubiHome, 'externals', 'engines', 'spark'), { recursive: true });
    await symlink(STANDIN, join(sparkHome, 'bin', 'spark-submit'));
    await writeFile(join(sparkHome, 'conf', 'spark-defaults.conf'), 'spark.executor.memory 2g\n');
    await writeFile(join(kyuubiHome, 'externals', 'engines', 'spark', `kyuubi-spark-sql-engine_2.12-${KYUUBI_VERSION}.jar`), '');

    gw = await startGateway({
      // Server default LOCAL (startGateway's --conf); alice's default is Spark; a session may ask
      // for JDBC itself.
      defaults: [
        `kyuubi.ha.addresses ${zk.address}`,
        'kyuubi.session.engine.initialize.timeout PT60S',
        `kyuubi.engine.jdbc.connection.url jdbc:postgresql://127.0.0.1:${pg.port}/shop`,
        'kyuubi.engine.jdbc.connection.user shop_app',
        `kyuubi.engine.jdbc.connection.password ${DB_PASSWORD}`,
        '___alice___.kyuubi.engine.type SPARK_SQL',
        // Governance for every Spark engine (docs/governance.md).
        'spark.sql.extensions org.apache.kyuubi.plugin.spark.authz.ranger.RangerSparkExtension',
        'spark.extraListeners io.openlineage.spark.agent.OpenLineageSparkListener',
        'spark.openlineage.transport.type console',
        `spark.hadoop.fs.s3a.secret.key ${S3_SECRET}`,
      ].join('\n'),
      env: {
        SPARK_HOME: sparkHome,
        KYUUBI_HOME: kyuubiHome,
        KITSUNE_ENGINE: ENGINE,
        KITSUNE_STANDIN_RECORD: record,
      },
    });
  });

  after(async () => {
    await gw?.stop();
    await Promise.all([pg?.stop(), zk?.stop()]);
  });

  test('a session with kyuubi.engine.type=JDBC runs SQL on PostgreSQL', async () => {
    const conn = await connect(gw, { username: 'bob' });
    const { session } = await openSession(conn, { configuration: { 'set:hiveconf:kyuubi.engine.type': 'JDBC' } });
    const version = await query(conn, session, 'SELECT version() AS v');
    assert.match(version[0].v, /^PostgreSQL 15/);
    await query(conn, session, 'CREATE TABLE orders (id integer PRIMARY KEY, item varchar(20), price numeric(8,2), shipped boolean)');
    await query(conn, session, "INSERT INTO orders VALUES (1, 'fox', 12.50, true), (2, 'kit', 3.25, NULL), (3, NULL, 7.00, false)");
    const rows = await query(conn, session, 'SELECT id, item, price, shipped FROM orders ORDER BY id');
    assert.deepEqual(rows, [
      { id: 1, item: 'fox', price: 12.5, shipped: true },
      { id: 2, item: 'kit', price: 3.25, shipped: null },
      { id: 3, item: null, price: 7, shipped: false },
    ]);
    // The table is really in PostgreSQL, owned by the configured user.
    assert.equal((await pg.sql('SELECT tableowner FROM pg_tables WHERE tablename = \'orders\'', 'shop')).trim(), 'shop_app');
    await session.close();
    await conn.client.close();

    // The password reached the engine, but through neither a command line nor a log.
    const engines = gw.engines();
    assert.ok(engines.length >= 1);
    assert.ok(!cmdlinesOf(engines).includes(DB_PASSWORD));
    assert.ok(!gw.log().includes(DB_PASSWORD));
    for (const f of readdirSync(join(gw.workDir, 'bob'))) {
      if (f.includes('.log')) assert.ok(!readFileSync(join(gw.workDir, 'bob', f), 'utf8').includes(DB_PASSWORD), f);
    }
  });

  test('alice gets a Spark engine: spark-submit is called as Kyuubi calls it and the engine registers in ZooKeeper', async () => {
    const conn = await connect(gw, { username: 'alice' });
    const { resp, session } = await openSession(conn);
    const sessionId = Buffer.from(resp.sessionHandle.sessionId.guid);
    const rows = await query(conn, session, 'SELECT 6 * 7 AS answer');
    assert.deepEqual(rows, [{ answer: 42 }]);
    await query(conn, session, 'CREATE TABLE spark_t (x INT)');
    await query(conn, session, 'INSERT INTO spark_t VALUES (1), (2), (3)');
    assert.deepEqual(await query(conn, session, 'SELECT sum(x) AS s FROM spark_t'), [{ s: 6 }]);

    // What the stand-in spark-submit received (it refuses anything else, and the session would
    // have failed).
    const files = await waitFor(() => readdirSync(record).filter((f) => f.endsWith('.args')), 5000, 'a recorded launch');
    assert.equal(files.length, 1);
    const refId = files[0].replace(/\.args$/, '');
    const args = readFileSync(join(record, files[0]), 'utf8').trim().split('\n');
    assert.deepEqual(args.slice(0, 2), ['--class', 'org.apache.kyuubi.engine.spark.SparkSQLEngine']);
    const confs = {};
    for (let i = 2; i + 1 < args.length; i++) if (args[i] === '--conf') confs[args[i + 1].split('=')[0]] = args[i + 1].slice(args[i + 1].indexOf('=') + 1);
    assert.equal(confs['spark.kyuubi.ha.addresses'], zk.address);
    assert.equal(confs['spark.kyuubi.ha.namespace'], `/kyuubi_${KYUUBI_VERSION}_USER_SPARK_SQL/alice/default`);
    assert.equal(confs['spark.kyuubi.ha.engine.ref.id'], refId);
    assert.equal(confs['spark.app.name'], `kyuubi_USER_SPARK_SQL_alice_default_${refId}`);
    assert.equal(confs['spark.yarn.tags'], `KYUUBI,${refId}`);
    assert.equal(confs['spark.kubernetes.driver.label.kyuubi-unique-tag'], refId);
    assert.equal(confs['spark.kyuubi.session.real.user'], 'alice');
    assert.match(confs['spark.kyuubi.engine.engineLog.path'], new RegExp(`/work/alice/kyuubi-spark-sql-engine\\.log\\.\\d+$`));
    assert.equal(confs['spark.sql.extensions'], 'org.apache.kyuubi.plugin.spark.authz.ranger.RangerSparkExtension');
    assert.equal(confs['spark.extraListeners'], 'io.openlineage.spark.agent.OpenLineageSparkListener');
    assert.equal(confs['spark.openlineage.transport.type'], 'console');
    // The engine ref id is that of alice's first session (USER level, Kyuubi's rule).
    assert.equal(refId.replace(/-/g, ''), sessionId.toString('hex'));
    assert.deepEqual(args.slice(-3), ['--proxy-user', 'alice', join(kyuubiHome, 'externals', 'engines', 'spark', `kyuubi-spark-sql-engine_2.12-${KYUUBI_VERSION}.jar`)]);

    // The secret went in the private properties file (with spark-defaults.conf's entries, which
    // that option would otherwise hide), and on no command line and in no log.
    assert.ok(!args.join(' ').includes(S3_SECRET));
    assert.ok(args.includes('--properties-file'));
    const properties = readFileSync(join(record, `${refId}.properties`), 'utf8');
    assert.match(properties, new RegExp(`spark\\.hadoop\\.fs\\.s3a\\.secret\\.key=${S3_SECRET}`));
    assert.match(properties, /spark\.executor\.memory 2g/);
    assert.ok(!cmdlinesOf(gw.engines()).includes(S3_SECRET));
    assert.ok(!gw.log().includes(S3_SECRET));
    assert.match(gw.log(), /spark\.hadoop\.fs\.s3a\.secret\.key/); // named as passed privately

    // The engine registered itself in ZooKeeper and the gateway found it by its ref id.
    await gw.waitForLog(new RegExp(`engine ${refId} registered at 127\\.0\\.0\\.1:\\d+`), 1000);

    // A second session of alice reuses the same engine: no second spark-submit.
    const { session: second } = await openSession(conn);
    assert.deepEqual(await query(conn, second, 'SELECT count(*) AS n FROM spark_t'), [{ n: 3 }]);
    assert.equal(readdirSync(record).filter((f) => f.endsWith('.args')).length, 1);
    await second.close();
    await session.close();
    await conn.client.close();
  });

  test('carol gets the server default, LOCAL', async () => {
    const conn = await connect(gw, { username: 'carol' });
    const { session } = await openSession(conn);
    const rows = await query(conn, session, 'SELECT sqlite_version() AS v');
    assert.match(rows[0].v, /^3\./);
    await session.close();
    await conn.client.close();
    assert.equal(readdirSync(record).filter((f) => f.endsWith('.args')).length, 1);
  });

  test('a JDBC engine with a wrong database password fails the session with a clear error', async () => {
    const conn = await connect(gw, { username: 'dave' });
    const { session } = await openSession(conn, {
      configuration: {
        'set:hiveconf:kyuubi.engine.type': 'JDBC',
        'set:hiveconf:kyuubi.engine.jdbc.connection.password': 'Wrong-Password-3141',
      },
    });
    await assert.rejects(
      withTimeout(query(conn, session, 'SELECT 1'), 60000, 'the failing query'),
      (e) => /password authentication failed for user "shop_app"/.test(e.message) && !e.message.includes('Wrong-Password-3141'),
    );
    await conn.client.close();
    assert.ok(!gw.log().includes('Wrong-Password-3141'));
  });
});
