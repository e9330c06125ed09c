// Test harness: starts a real kitsune-engine process and connects hive-driver (npm) to it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';

import hive from 'hive-driver';
import StatusErrorModule from 'hive-driver/dist/errors/StatusError.js';
import HiveSessionModule from 'hive-driver/dist/HiveSession.js';

const { HiveClient, HiveDriver, HiveUtils, auth, connections, thrift } = hive;
export const { TCLIService, TCLIService_types: T } = thrift;
export const StatusError = StatusErrorModule.default;
export const HiveSession = HiveSessionModule.default;
export { HiveClient, HiveDriver, HiveUtils };

const requireFromHiveDriver = createRequire(createRequire(import.meta.url).resolve('hive-driver'));
export const Int64 = requireFromHiveDriver('node-int64');
export const { TApplicationException, TApplicationExceptionType } = requireFromHiveDriver('thrift').Thrift;

// Exact value of a node-int64 (toNumber() loses precision past 2^53).
export const int64ToBigInt = (v) => v.buffer.readBigInt64BE(v.offset);

export const ENGINE = process.env.KITSUNE_ENGINE;
if (!ENGINE) throw new Error('KITSUNE_ENGINE must name the kitsune-engine binary');

// hive-driver never times out a call; a test must not hang forever.
export function withTimeout(promise, ms, what = 'call') {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Starts kitsune-engine on 127.0.0.1 with a port the OS picks, in its own temp dir, and resolves
// once it has printed its address. conf: extra --conf pairs.
export async function startEngine({ auth: authMode = 'NONE', conf = {} } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'kitsune-engine-'));
  const pairs = {
    'kyuubi.frontend.thrift.binary.bind.host': '127.0.0.1',
    'kyuubi.frontend.thrift.binary.bind.port': '0',
    'kyuubi.authentication': authMode,
    'kitsune.engine.local.data.dir': join(dir, 'data'),
    ...conf,
  };
  const args = Object.entries(pairs).flatMap(([k, v]) => ['--conf', `${k}=${v}`]);
  const proc = spawn(ENGINE, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  readline.createInterface({ input: proc.stderr }).on('line', (l) => log.push(l));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const address = await withTimeout(
    new Promise((resolve, reject) => {
      const lines = readline.createInterface({ input: proc.stdout });
      lines.once('line', resolve);
      exited.then(({ code }) => reject(new Error(`kitsune-engine exited with ${code}:\n${log.join('\n')}`)));
    }),
    15000,
    'kitsune-engine to print its address',
  );
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return {
    host,
    port,
    proc,
    dir,
    exited,
    log: () => log.join('\n'),
    // Waits until a log line matches, for assertions on what the engine said.
    async waitForLog(re, ms = 5000) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if (log.some((l) => re.test(l))) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no log line matching ${re} within ${ms} ms; log:\n${log.join('\n')}`);
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const result = await withTimeout(exited, 15000, 'kitsune-engine to stop');
      await rm(dir, { recursive: true, force: true });
      return result;
    },
  };
}

// Connects hive-driver over NOSASL ('nosasl') or SASL PLAIN ('plain').
export async function connect(engine, { mode = 'plain', username = 'alice', password = 'secret' } = {}) {
  const client = new HiveClient(TCLIService, T);
  const events = [];
  client.on('error', (e) => events.push(e)); // without a listener a socket error kills the process
  const provider =
    mode === 'plain' ? new auth.PlainTcpAuthentication({ username, password }) : new auth.NoSaslAuthentication();
  await withTimeout(
    client.connect({ host: engine.host, port: engine.port }, new connections.TcpConnection(), provider),
    10000,
    'connect',
  );
  const driver = new HiveDriver(T, client.getClient());
  return { client, driver, events, utils: new HiveUtils(T) };
}

// Opens a session through the raw driver (so the response can be checked) and wraps it.
export async function openSession(conn, { protocol = T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10, configuration, username } = {}) {
  const req = { client_protocol: protocol };
  if (configuration) req.configuration = configuration;
  if (username) req.username = username;
  const resp = await withTimeout(conn.driver.openSession(req), 10000, 'OpenSession');
  if (resp.status.statusCode !== T.TStatusCode.SUCCESS_STATUS) {
    throw new Error(`OpenSession failed: ${resp.status.errorMessage}`);
  }
  return { resp, session: new HiveSession(conn.driver, resp.sessionHandle, T) };
}

// Runs a statement to completion and returns its rows as objects (hive-driver's own conversion).
export async function query(conn, session, sql, { maxRows = 10000, runAsync = false } = {}) {
  const op = await withTimeout(session.executeStatement(sql, { runAsync }), 60000, sql);
  await withTimeout(conn.utils.waitUntilReady(op, false), 60000, `waitUntilReady ${sql}`);
  op.setMaxRows(maxRows);
  await withTimeout(conn.utils.fetchAll(op), 120000, `fetchAll ${sql}`);
  const rows = conn.utils.getResult(op).getValue();
  await op.close();
  return rows;
}
