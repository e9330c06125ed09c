// A real OpenLDAP slapd for the hive-driver suites: a temp dir, slapd.conf, entries loaded with
// slapadd, slapd in the foreground on 127.0.0.1 and a port the OS picked; stopped by the test.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { accepts, freePort } from './services.mjs';

// One "attr: value" LDIF line, base64 ("attr:: ...") when LDIF cannot hold the value as text.
export function ldifLine(attr, value) {
  const safe = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value) && !value.endsWith(' ');
  return safe ? `${attr}: ${value}\n` : `${attr}:: ${Buffer.from(value).toString('base64')}\n`;
}

// LDIF of an inetOrgPerson entry with a password.
export function person(dn, uid, password) {
  return `${ldifLine('dn', dn)}objectClass: inetOrgPerson\n${ldifLine('uid', uid)}${ldifLine('cn', uid)}${ldifLine('sn', uid)}${ldifLine('userPassword', password)}\n`;
}

// LDIF of a groupOfNames entry.
export function group(dn, cn, members) {
  return `${ldifLine('dn', dn)}objectClass: groupOfNames\n${ldifLine('cn', cn)}${members.map((m) => ldifLine('member', m)).join('')}\n`;
}

// LDIF of an organizational unit.
export function unit(dn, ou) {
  return `${ldifLine('dn', dn)}objectClass: organizationalUnit\n${ldifLine('ou', ou)}\n`;
}

// Starts slapd with `entries` (LDIF under `suffix`; the suffix entry itself is written here) and
// resolves once it accepts connections. Anonymous users can read nothing.
export async function startSlapd({ suffix = 'dc=example,dc=com', entries = '' } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'kitsune-slapd-'));
  await mkdir(join(dir, 'db'));
  const port = await freePort();
  const rootPassword = randomBytes(12).toString('hex');
  const conf = [
    ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `pidfile ${dir}/slapd.pid`,
    `argsfile ${dir}/slapd.args`,
    'database mdb',
    'maxsize 16777216',
    `suffix "${suffix}"`,
    `rootdn "cn=admin,${suffix}"`,
    `rootpw ${rootPassword}`,
    `directory ${dir}/db`,
    'access to attrs=userPassword by anonymous auth by self read by * none',
    'access to * by users read by * none',
    '',
  ].join('\n');
  await writeFile(join(dir, 'slapd.conf'), conf);
  const dc = suffix.split(',')[0].split('=')[1];
  const ldif = `${ldifLine('dn', suffix)}objectClass: dcObject\nobjectClass: organization\no: ${dc}\ndc: ${dc}\n\n${entries}`;
  await writeFile(join(dir, 'entries.ldif'), ldif);
  const added = spawnSync('/usr/sbin/slapadd', ['-f', join(dir, 'slapd.conf'), '-l', join(dir, 'entries.ldif')], { encoding: 'utf8' });
  if (added.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`slapadd failed: ${added.stderr || added.error}`);
  }
  const url = `ldap://127.0.0.1:${port}`;
  const proc = spawn('/usr/sbin/slapd', ['-f', join(dir, 'slapd.conf'), '-h', `${url}/`, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  proc.stdout.on('data', (d) => log.push(d.toString()));
  proc.stderr.on('data', (d) => log.push(d.toString()));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  // A test process that dies must not leave slapd behind.
  const killOnExit = () => proc.kill('SIGKILL');
  process.on('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20000;
  for (;;) {
    if (await accepts(port)) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`slapd did not start:\n${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url, port, dir, suffix, log: () => log.join(''), stop };
}
