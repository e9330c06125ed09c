// A real PostgreSQL 15 for the hive-driver suites: initdb in a temp dir, postgres on 127.0.0.1 and
// a port the OS picked (password logins over TCP), psql for setup SQL. As root, the cluster
// belongs to the unprivileged user "postgres", since PostgreSQL refuses to run as root.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { accepts, freePort, spawnService, waitUntilUp } from './services.mjs';

function binDir() {
  if (process.env.KITSUNE_PG_BINDIR) return process.env.KITSUNE_PG_BINDIR;
  if (existsSync('/usr/lib/postgresql/15/bin/postgres')) return '/usr/lib/postgresql/15/bin';
  const versions = readdirSync('/usr/lib/postgresql').filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/postgres`));
  if (versions.length === 0) throw new Error('no PostgreSQL under /usr/lib/postgresql');
  return `/usr/lib/postgresql/${versions.sort((a, b) => Number(b) - Number(a))[0]}/bin`;
}

// uid and gid of the user to run PostgreSQL as (only when we are root).
function runAs() {
  if (process.getuid() !== 0) return {};
  for (const name of ['postgres', 'nobody']) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (id.status === 0 && gid.status === 0) return { uid: Number(id.stdout), gid: Number(gid.stdout) };
  }
  throw new Error('no unprivileged user to run PostgreSQL as');
}

export async function startPostgres() {
  const dir = await mkdtemp(join(tmpdir(), 'kitsune-pg-'));
  const as = runAs();
  if (as.uid !== undefined) chownSync(dir, as.uid, as.gid);
  const bin = binDir();
  const data = join(dir, 'data');
  const init = spawnSync(
    `${bin}/initdb`,
    ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-locale', '-E', 'UTF8', '--no-sync', '--no-instructions'],
    { encoding: 'utf8', ...as },
  );
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.error}`);
  }
  const port = await freePort();
  const service = spawnService(
    `${bin}/postgres`,
    ['-D', data, '-k', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'shared_buffers=16MB', '-c', 'max_connections=40'],
    { cwd: dir, ...as },
  );
  const stop = async () => {
    await service.stop('SIGINT');
    await rm(dir, { recursive: true, force: true });
  };
  // psql over the Unix socket as the superuser; the SQL goes through a file, never the command
  // line, so that passwords in it stay out of `ps`.
  let runs = 0;
  const sql = async (text, database = 'postgres') => {
    const file = join(dir, `setup-${++runs}.sql`);
    await writeFile(file, text, { mode: 0o644 });
    const r = spawnSync(`${bin}/psql`, ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-A', '-t', '-f', file], { encoding: 'utf8', ...as });
    await rm(file, { force: true });
    if (r.status !== 0) throw new Error(`psql failed: ${r.stderr || r.error}`);
    return r.stdout;
  };
  try {
    await waitUntilUp(service, async () => (await accepts(port)) && spawnSync(`${bin}/pg_isready`, ['-h', dir, '-p', String(port)], as).status === 0, 30000, 'PostgreSQL');
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return { host: '127.0.0.1', port, dir, log: service.log, sql, stop };
}
