// Test harness: starts a real kitsune-engine process (or the kitsune-server gateway, which
// launches engines itself) and connects hive-driver (npm) to it.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import readline from 'node:readline';

import hive from 'hive-driver';
import StatusErrorModule from 'hive-driver/dist/errors/StatusError.js';
import HiveSessionModule from 'hive-driver/dist/HiveSession.js';

const { HiveClient, HiveDriver, HiveUtils, auth, connections, thrift } = hive;
export const { TCLIService, TCLIService_types: T } = thrift;
export const StatusError = StatusErrorModule.default;
export const HiveSession = HiveSessionModule.default;
export { HiveClient, HiveDriver, HiveUtils, auth, connections };

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

// ---------------------------------------------------------------------------------------------
// The gateway: kitsune-server, launching kitsune-engine processes itself (LOCAL engine type).

export const SERVER = process.env.KITSUNE_SERVER;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn() until it returns a truthy value, and returns that value; throws after ms.
export async function waitFor(fn, ms, what = 'condition') {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) throw new Error(`not true within ${ms} ms: ${what} (last: ${last})`);
    await sleep(50);
  }
}

const isAlive = (pid) => {
  try {
    // A zombie has exited already; only its parent has not looked yet.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
export { isAlive };

// Every live kitsune-engine process whose working directory is under workDir, with its command
// line (an array) and its --conf pairs (an object).
export function engineProcesses(workDir) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      if (argv.length === 0 || basename(argv[0]) !== 'kitsune-engine') continue;
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd !== workDir && !cwd.startsWith(`${workDir}/`)) continue;
      if (!isAlive(entry)) continue;
      const conf = {};
      for (let i = 0; i + 1 < argv.length; i++) {
        if (argv[i] === '--conf') {
          const eq = argv[i + 1].indexOf('=');
          conf[argv[i + 1].slice(0, eq)] = argv[i + 1].slice(eq + 1);
        }
      }
      out.push({ pid: Number(entry), argv, conf, cwd });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

// The "Threads:" line of /proc/<pid>/status.
export function threadCount(pid) {
  const m = /^Threads:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]);
}

// Whatever a test forgot to stop, the test process takes down with it as it exits.
const liveGateways = new Set();
process.on('exit', () => {
  for (const g of liveGateways) {
    try {
      g.proc.kill('SIGKILL');
      for (const e of engineProcesses(g.workDir)) process.kill(e.pid, 'SIGKILL');
      rmSync(g.dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
});

// Starts kitsune-server on 127.0.0.1 with a port the OS picks, launching LOCAL engines, in its
// own temp dir (conf dir and KYUUBI_WORK_DIR_ROOT), and resolves once it prints its address.
// conf: extra --conf pairs; defaults: extra lines of kyuubi-defaults.conf.
export async function startGateway({ auth: authMode = 'NONE', conf = {}, defaults = '', env = {} } = {}) {
  if (!SERVER) throw new Error('KITSUNE_SERVER must name the kitsune-server binary');
  const dir = await mkdtemp(join(tmpdir(), 'kitsune-gateway-'));
  const confDir = join(dir, 'conf');
  const workDir = join(dir, 'work');
  await mkdir(confDir);
  await mkdir(workDir);
  await writeFile(join(confDir, 'kyuubi-defaults.conf'), `# written by the hive-driver gateway tests\n${defaults}\n`);
  const pairs = {
    'kyuubi.frontend.bind.host': '127.0.0.1',
    'kyuubi.frontend.thrift.binary.bind.port': '0',
    'kyuubi.frontend.thrift.http.bind.port': '0',
    'kyuubi.frontend.rest.bind.port': '0',
    'kyuubi.metadata.store.jdbc.url': `jdbc:sqlite:${join(dir, 'kyuubi_state_store.db')}`,
    'kyuubi.engine.type': 'LOCAL',
    'kyuubi.authentication': authMode,
    'kitsune.engine.local.executable': ENGINE,
    'kitsune.server.shutdown.timeout': 'PT5S',
    ...conf,
  };
  const args = ['--conf-dir', confDir, ...Object.entries(pairs).flatMap(([k, v]) => ['--conf', `${k}=${v}`])];
  const proc = spawn(SERVER, args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KYUUBI_WORK_DIR_ROOT: workDir, ...env },
  });
  const log = [];
  readline.createInterface({ input: proc.stderr }).on('line', (l) => log.push(l));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const tracked = { proc, workDir, dir };
  liveGateways.add(tracked);
  let address;
  // The server writes one line per frontend at once: "host:port" (binary), then
  // "thrift-http host:port" and "rest host:port" when those are served.
  const endpoints = {};
  try {
    address = await withTimeout(
      new Promise((resolve, reject) => {
        const lines = readline.createInterface({ input: proc.stdout });
        lines.on('line', (l) => {
          const m = /^(thrift-http|rest) (.*):(\d+)$/.exec(l);
          if (m) endpoints[m[1]] = { host: m[2], port: Number(m[3]) };
          else if (!endpoints.binary) endpoints.binary = l;
          // Lines come in one write: resolve once the chunk has been split.
          setImmediate(() => resolve(endpoints.binary ?? l));
        });
        exited.then(({ code, signal }) => reject(new Error(`kitsune-server exited with ${code ?? signal}:\n${log.join('\n')}`)));
      }),
      15000,
      'kitsune-server to print its address',
    );
  } catch (e) {
    proc.kill('SIGKILL');
    await exited;
    liveGateways.delete(tracked);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const colon = address.lastIndexOf(':');
  const gateway = {
    host: address.slice(0, colon),
    port: Number(address.slice(colon + 1)),
    http: endpoints['thrift-http'],
    rest: endpoints.rest,
    restUrl: endpoints.rest ? `http://${endpoints.rest.host}:${endpoints.rest.port}/api/v1` : undefined,
    proc,
    dir,
    workDir,
    exited,
    log: () => log.join('\n'),
    async waitForLog(re, ms = 5000) {
      await waitFor(() => log.some((l) => re.test(l)), ms, `a gateway log line matching ${re}`).catch((e) => {
        throw new Error(`${e.message}; log:\n${log.join('\n')}`);
      });
    },
    engines: () => engineProcesses(workDir),
    // SIGTERM, then waits for the exit (and, with a timeout, SIGKILL so no test leaves it behind).
    async stop(ms = 20000) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      let result;
      try {
        result = await withTimeout(exited, ms, 'kitsune-server to stop');
      } catch (e) {
        proc.kill('SIGKILL');
        await exited;
        for (const e2 of engineProcesses(workDir)) process.kill(e2.pid, 'SIGKILL');
        liveGateways.delete(tracked);
        await rm(dir, { recursive: true, force: true });
        throw e;
      }
      // A gateway that ended badly (a sanitizer report, an exception) says why in its log.
      if (result.code !== 0) {
        process.stderr.write(`kitsune-server exited with ${result.code ?? result.signal}; its log:\n${log.join('\n')}\n`);
      }
      // Engines it launched go with it; never leave one behind whatever the test asserts.
      try {
        await waitFor(() => engineProcesses(workDir).length === 0, 10000, 'engines to exit');
      } catch {
        for (const e2 of engineProcesses(workDir)) process.kill(e2.pid, 'SIGKILL');
      }
      liveGateways.delete(tracked);
      await rm(dir, { recursive: true, force: true });
      return result;
    },
  };
  return gateway;
}

// The LaunchEngine operation handle named by an OpenSession response's configuration.
export function launchHandleOf(resp) {
  const c = resp.configuration ?? {};
  return {
    operationId: {
      guid: Buffer.from(c['kyuubi.session.engine.launch.handle.guid'], 'base64'),
      secret: Buffer.from(c['kyuubi.session.engine.launch.handle.secret'], 'base64'),
    },
    operationType: T.TOperationType.UNKNOWN,
    hasResultSet: true,
  };
}

// The operation log lines of an operation (FetchResults with fetchType 1), from the start.
export async function operationLog(conn, operationHandle, { maxRows = 10000 } = {}) {
  const resp = await withTimeout(
    conn.driver.fetchResults({ operationHandle, orientation: T.TFetchOrientation.FETCH_FIRST, maxRows, fetchType: 1 }),
    10000,
    'FetchResults (log)',
  );
  if (resp.status.statusCode !== T.TStatusCode.SUCCESS_STATUS) {
    throw new Error(`fetching the log failed: ${resp.status.errorMessage}`);
  }
  const rs = resp.results;
  if (rs.columns && rs.columns.length > 0) return rs.columns[0].stringVal.values;
  return (rs.rows ?? []).map((r) => r.colVals[0].stringVal.value);
}

// `SET kyuubi.engine.id` through the session: the engine serving it.
export async function engineIdOf(conn, session) {
  const rows = await query(conn, session, 'SET kyuubi.engine.id');
  const line = Object.values(rows[0])[0];
  const m = /^kyuubi\.engine\.id=(.+)$/.exec(line);
  if (!m) throw new Error(`unexpected SET kyuubi.engine.id answer: ${line}`);
  return m[1];
}

// Opens a connection and a session (configuration as given) in one go.
export async function connectAndOpen(gateway, { mode = 'plain', username = 'alice', password = 'secret', configuration } = {}) {
  const conn = await connect(gateway, { mode, username, password });
  const { resp, session } = await openSession(conn, { configuration, username });
  return { conn, resp, session };
}

// Creates OS groups and users (users: { name: group }) for GROUP share level, and returns a
// function that deletes them again.
export function createOsUsers(groups, users) {
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
  };
  const made = { groups: [], users: [] };
  const remove = () => {
    for (const u of made.users) spawnSync('userdel', [u]);
    for (const g of made.groups) spawnSync('groupdel', [g]);
  };
  try {
    for (const g of groups) {
      run('groupadd', [g]);
      made.groups.push(g);
    }
    for (const [u, g] of Object.entries(users)) {
      run('useradd', ['-M', '-N', '-g', g, u]);
      made.users.push(u);
    }
  } catch (e) {
    remove();
    throw e;
  }
  return remove;
}
