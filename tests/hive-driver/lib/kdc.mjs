// A real MIT Kerberos KDC for the hive-driver suites: a realm in a temp dir, krb5kdc on 127.0.0.1
// and a port free for both UDP and TCP, principals and keytabs made with kadmin.local, and kinit
// into ticket caches. Passwords reach the tools on stdin, never on a command line.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { waitFor, withTimeout } from './harness.mjs';

// Runs a Kerberos tool with `input` on stdin; resolves to { code, output } (stdout and stderr).
function runTool(command, args, { env, cwd, input = '' }) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const proc = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      proc.stdout.on('data', (d) => { output += d; });
      proc.stderr.on('data', (d) => { output += d; });
      proc.on('error', reject);
      proc.on('close', (code) => resolve({ code, output }));
      proc.stdin.end(input);
    }),
    30000,
    `${command} ${args.join(' ')}`,
  );
}

const listenOnce = (server, port) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });

// A port that is free for TCP and UDP right now (the KDC serves both on it).
async function pickPort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const tcp = net.createServer();
    const port = await listenOnce(tcp, 0);
    const udp = dgram.createSocket('udp4');
    const free = await new Promise((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    await new Promise((r) => tcp.close(r));
    if (free) return port;
  }
  throw new Error('no port free for both TCP and UDP');
}

const answers = (port) =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });

// Creates the realm and starts krb5kdc; resolves once it answers on TCP.
export async function startKdc({ realm = 'EXAMPLE.TEST', clockskew = 300 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'kitsune-kdc-'));
  const port = await pickPort();
  const krb5Conf = join(dir, 'krb5.conf');
  await writeFile(
    krb5Conf,
    `[libdefaults]
  default_realm = ${realm}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  clockskew = ${clockskew}
[realms]
  ${realm} = {
    kdc = 127.0.0.1:${port}
  }
`,
  );
  await writeFile(
    join(dir, 'kdc.conf'),
    `[kdcdefaults]
  kdc_listen = 127.0.0.1:${port}
  kdc_tcp_listen = 127.0.0.1:${port}
[realms]
  ${realm} = {
    database_name = ${dir}/principal
    key_stash_file = ${dir}/stash
    acl_file = ${dir}/kadm5.acl
    max_life = 1h
  }
[logging]
  kdc = FILE:${dir}/kdc.log
`,
  );
  await writeFile(join(dir, 'kadm5.acl'), '');
  const env = { ...process.env, KRB5_CONFIG: krb5Conf, KRB5_KDC_PROFILE: join(dir, 'kdc.conf') };
  const tool = (command, args, input) => runTool(command, args, { env, cwd: dir, input });
  const kadmin = async (commands, what) => {
    const r = await tool('/usr/sbin/kadmin.local', ['-r', realm], commands);
    if (r.code !== 0 || !what.test(r.output)) throw new Error(`kadmin.local failed:\n${r.output}`);
    return r;
  };

  const master = `kdc-master-${process.pid}`;
  const created = await tool('/usr/sbin/kdb5_util', ['create', '-s', '-r', realm], `${master}\n${master}\n`);
  if (created.code !== 0) throw new Error(`kdb5_util create failed:\n${created.output}`);

  const proc = spawn('/usr/sbin/krb5kdc', ['-n'], { env, cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
  let gone = false;
  const exited = new Promise((resolve) =>
    proc.on('exit', (code, signal) => {
      gone = true;
      resolve({ code, signal });
    }),
  );
  let ccaches = 0;
  const kdc = {
    realm,
    dir,
    port,
    krb5Conf,
    async log() {
      return readFile(join(dir, 'kdc.log'), 'utf8').catch(() => '');
    },
    // kadmin.local echoes its commands: the password goes to its prompts instead.
    async addUser(name, password) {
      await kadmin(`addprinc ${name}\n${password}\n${password}\n`, /created/);
    },
    async addService(principal) {
      await kadmin(`addprinc -randkey ${principal}\n`, /created/);
    },
    async exportKeytab(principal, path) {
      await kadmin(`ktadd -norandkey -k ${path} ${principal}\n`, /added to keytab/);
    },
    newCcache() {
      ccaches += 1;
      return `FILE:${join(dir, `cc-${ccaches}`)}`;
    },
    // kinit into `ccache` with the password on stdin; throws with kinit's output on failure.
    async kinit(principal, password, ccache, lifetime) {
      const args = ['-c', ccache, ...(lifetime ? ['-l', lifetime] : []), principal];
      const r = await tool('/usr/bin/kinit', args, `${password}\n`);
      if (r.code !== 0) throw new Error(`kinit ${principal} failed:\n${r.output}`);
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await withTimeout(exited, 10000, 'krb5kdc to stop').catch(() => proc.kill('SIGKILL'));
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(() => !gone && answers(port), 10000, 'krb5kdc to answer');
  } catch (e) {
    await kdc.stop();
    throw new Error(`krb5kdc did not start: ${e.message}\n${await kdc.log()}`);
  }
  return kdc;
}
