// hive-driver logging in through a gateway with kyuubi.authentication=LDAP against a real slapd
// (SASL PLAIN, PlainTcpAuthentication): the LDAP password opens a session that runs SQL, a wrong
// one is refused with a clear error, and no password reaches the gateway's log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { T, connect, openSession, query, startGateway } from './lib/harness.mjs';
import { group, person, startSlapd, unit } from './lib/slapd.mjs';

const PEOPLE = 'ou=people,dc=example,dc=com';
const GROUPS = 'ou=groups,dc=example,dc=com';
const USERS = {
  alice: 'alice-Hd-Pw-4k8s2v',
  bob: 'bob-Hd-Pw-9q3x7n',
  // A uid with the characters LDAP filters and DNs treat specially.
  'we*ird(na)me\\,x=y': 'weird-Hd-Pw-1z6c5m',
};
const dnOf = (uid) => `uid=${uid.replace(/[\\,=+<>#;"]/g, (c) => `\\${c}`)},${PEOPLE}`;

describe('LDAP logins through the gateway', () => {
  let slapd;
  let gateway;
  before(async () => {
    const entries = [
      unit(PEOPLE, 'people'),
      unit(GROUPS, 'groups'),
      ...Object.entries(USERS).map(([uid, pw]) => person(dnOf(uid), uid, pw)),
      group(`cn=analysts,${GROUPS}`, 'analysts', [dnOf('alice'), dnOf('we*ird(na)me\\,x=y')]),
    ].join('');
    slapd = await startSlapd({ entries });
    gateway = await startGateway({
      auth: 'LDAP',
      conf: {
        'kyuubi.authentication.ldap.url': slapd.url,
        'kyuubi.authentication.ldap.baseDN': PEOPLE,
        'kyuubi.authentication.ldap.groupDNPattern': `cn=%s,${GROUPS}`,
        'kyuubi.authentication.ldap.groupFilter': 'analysts',
        'kitsune.log.level': 'DEBUG',
      },
    });
  });
  after(async () => {
    const result = await gateway?.stop();
    await slapd?.stop();
    assert.deepEqual(result, { code: 0, signal: null });
    for (const pw of Object.values(USERS)) {
      assert.ok(!gateway.log().includes(pw), `a password in the gateway log:\n${gateway.log()}`);
    }
  });

  it('logs alice in with her LDAP password; her session runs a SELECT', async () => {
    const conn = await connect(gateway, { mode: 'plain', username: 'alice', password: USERS.alice });
    const { session } = await openSession(conn);
    assert.deepEqual(await query(conn, session, 'SELECT 1 AS one'), [{ one: 1 }]);
    assert.equal((await session.getInfo(T.TGetInfoType.CLI_USER_NAME)).getValue(), 'alice');
    await session.close();
    conn.client.close();
  });

  it('logs in a user whose uid has filter and DN characters in it', async () => {
    const uid = 'we*ird(na)me\\,x=y';
    const conn = await connect(gateway, { mode: 'plain', username: uid, password: USERS[uid] });
    const { session } = await openSession(conn);
    assert.deepEqual(await query(conn, session, 'SELECT 2 AS two'), [{ two: 2 }]);
    await session.close();
    conn.client.close();
  });

  it('refuses a wrong password with a clear error, and a wildcard user name likewise', async () => {
    await assert.rejects(
      connect(gateway, { mode: 'plain', username: 'alice', password: USERS.bob }),
      /Authentication error: Error validating the login: Error validating LDAP user 'alice': wrong user name or password/,
    );
    await assert.rejects(
      connect(gateway, { mode: 'plain', username: '*', password: USERS.alice }),
      /Error validating LDAP user '\*': wrong user name or password/,
    );
    await gateway.waitForLog(/login failed: .*wrong user name or password \(user alice\)/);
  });

  it('refuses a user outside the group filter, saying so', async () => {
    await assert.rejects(
      connect(gateway, { mode: 'plain', username: 'bob', password: USERS.bob }),
      /Error validating LDAP user 'bob': the user is not a member of any group in kyuubi\.authentication\.ldap\.groupFilter/,
    );
  });
});
