// hive-driver against the kitsune-server gateway: which sessions share an engine, by share level
// (USER, CONNECTION, GROUP, SERVER), subdomain and engine pool. Each session asks its engine for
// `SET kyuubi.engine.id`; the gateway's engines are real kitsune-engine processes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { connect, createOsUsers, engineIdOf, isAlive, openSession, query, startGateway, waitFor } from './lib/harness.mjs';

describe('share levels through the gateway', () => {
  let gateway;
  const conns = [];
  const connFor = async (username) => {
    const conn = await connect(gateway, { mode: 'plain', username, password: 'pw' });
    conns.push(conn);
    return conn;
  };
  // Opens a session of `username` with the given session conf on a connection of its own, and
  // returns the id of the engine serving it.
  const sessionOf = async (username, configuration) => {
    const conn = await connFor(username);
    const { session } = await openSession(conn, { configuration });
    return { conn, session, engineId: await engineIdOf(conn, session) };
  };
  const engineOf = async (username, configuration) => (await sessionOf(username, configuration)).engineId;

  before(async () => {
    gateway = await startGateway();
  });
  after(async () => {
    for (const c of conns) c.client.close();
    const result = await gateway?.stop();
    assert.deepEqual(result, { code: 0, signal: null });
  });

  it('USER: the sessions of one user share an engine, another user gets another', async () => {
    const conf = { 'set:hiveconf:kyuubi.engine.share.level': 'USER', 'kyuubi.engine.share.level.subdomain': 'user-test' };
    const [a1, a2, b1] = await Promise.all([engineOf('alice', conf), engineOf('alice', conf), engineOf('bob', conf)]);
    assert.equal(a1, a2);
    assert.notEqual(a1, b1);
    // Later sessions find the same engines.
    assert.equal(await engineOf('alice', conf), a1);
    assert.equal(await engineOf('bob', conf), b1);
    const mine = gateway.engines().filter((e) => [a1, b1].includes(e.conf['kyuubi.ha.engine.ref.id']));
    assert.equal(mine.length, 2);
    // Each runs for its user.
    assert.deepEqual(mine.map((e) => e.conf['kyuubi.session.user']).sort(), ['alice', 'bob']);
  });

  it('CONNECTION: every session gets its own engine, which ends with the session', async () => {
    const conf = { 'kyuubi.engine.share.level': 'CONNECTION' };
    const s1 = await sessionOf('carol', conf);
    const s2 = await sessionOf('carol', conf);
    assert.notEqual(s1.engineId, s2.engineId);
    const procs = gateway.engines().filter((e) => [s1.engineId, s2.engineId].includes(e.conf['kyuubi.ha.engine.ref.id']));
    assert.equal(procs.length, 2);
    // The engine of a CONNECTION session is the session's own: its ref id is the session's id.
    await query(s1.conn, s1.session, 'CREATE TABLE private_t (x INT)');
    await s1.session.close();
    const p1 = procs.find((e) => e.conf['kyuubi.ha.engine.ref.id'] === s1.engineId);
    await waitFor(() => !isAlive(p1.pid), 10000, `the engine of a closed CONNECTION session (pid ${p1.pid}) to exit`);
    // The other session's engine is untouched.
    const p2 = procs.find((e) => e.conf['kyuubi.ha.engine.ref.id'] === s2.engineId);
    assert.ok(isAlive(p2.pid));
    assert.deepEqual(await query(s2.conn, s2.session, 'SELECT 5 AS five'), [{ five: 5 }]);
    // Closing the connection closes its session, and so its engine.
    s2.conn.client.close();
    await waitFor(() => !isAlive(p2.pid), 10000, `the engine of a disconnected CONNECTION session (pid ${p2.pid}) to exit`);
  });

  describe('GROUP', () => {
    const tag = `${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
    const [g1, g2] = [`kg1${tag}`, `kg2${tag}`];
    const [u1, u2, u3] = [`ku1${tag}`, `ku2${tag}`, `ku3${tag}`];
    let removeUsers;
    before(() => {
      removeUsers = createOsUsers([g1, g2], { [u1]: g1, [u2]: g1, [u3]: g2 });
    });
    after(() => removeUsers?.());

    it('the users of one primary group share an engine; another group gets another', async () => {
      const conf = { 'set:hiveconf:kyuubi.engine.share.level': 'GROUP' };
      const [e1, e2, e3] = await Promise.all([engineOf(u1, conf), engineOf(u2, conf), engineOf(u3, conf)]);
      assert.equal(e1, e2);
      assert.notEqual(e1, e3);
      const procs = gateway.engines();
      const p1 = procs.find((e) => e.conf['kyuubi.ha.engine.ref.id'] === e1);
      const p3 = procs.find((e) => e.conf['kyuubi.ha.engine.ref.id'] === e3);
      assert.match(p1.conf['kyuubi.ha.namespace'], new RegExp(`_GROUP_LOCAL/${g1}/default$`));
      assert.match(p3.conf['kyuubi.ha.namespace'], new RegExp(`_GROUP_LOCAL/${g2}/default$`));
    });
  });

  it('SERVER: one engine for every user', async () => {
    const conf = { 'kyuubi.engine.share.level': 'SERVER' };
    const ids = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((u) => engineOf(u, conf)));
    assert.equal(new Set(ids).size, 1, ids.join(' '));
    assert.equal(await engineOf('erin', conf), ids[0]);
    const [proc] = gateway.engines().filter((e) => e.conf['kyuubi.ha.engine.ref.id'] === ids[0]);
    assert.match(proc.conf['kyuubi.ha.namespace'], /_SERVER_LOCAL\/[^/]+\/default$/);
  });

  it('subdomains separate the engines of one user', async () => {
    const sub = (s) => ({ 'set:hiveconf:kyuubi.engine.share.level.subdomain': s });
    const [x1, y1, x2] = await Promise.all([engineOf('dave', sub('x')), engineOf('dave', sub('y')), engineOf('dave', sub('x'))]);
    assert.equal(x1, x2);
    assert.notEqual(x1, y1);
    assert.notEqual(await engineOf('dave'), x1, 'the default subdomain is another engine again');
  });

  it('a POLLING pool of 3 spreads 6 sessions over three engines in turn', async () => {
    const conf = {
      'kyuubi.engine.pool.size': '3',
      'kyuubi.engine.pool.name': 'poll-pool',
      'kyuubi.engine.pool.selectPolicy': 'POLLING',
    };
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await engineOf('erin', conf));
    assert.equal(new Set(ids).size, 3, ids.join(' '));
    assert.deepEqual(ids.slice(3), ids.slice(0, 3), 'each engine in turn');
    const spaces = gateway.engines().filter((e) => ids.includes(e.conf['kyuubi.ha.engine.ref.id'])).map((e) => e.conf['kyuubi.ha.namespace']);
    assert.deepEqual(spaces.map((s) => s.replace(/^.*\//, '')).sort(), ['poll-pool-0', 'poll-pool-1', 'poll-pool-2']);
  });

  it('a RANDOM pool of 3 uses at most three engines', async () => {
    const conf = {
      'set:hiveconf:kyuubi.engine.pool.size': '3',
      'set:hiveconf:kyuubi.engine.pool.name': 'rand-pool',
      'set:hiveconf:kyuubi.engine.pool.selectPolicy': 'RANDOM',
    };
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push(await engineOf('frank', conf));
    const distinct = new Set(ids);
    assert.ok(distinct.size >= 1 && distinct.size <= 3, ids.join(' '));
    const spaces = gateway.engines().filter((e) => distinct.has(e.conf['kyuubi.ha.engine.ref.id'])).map((e) => e.conf['kyuubi.ha.namespace']);
    assert.equal(spaces.length, distinct.size);
    for (const s of spaces) assert.match(s, /\/frank\/rand-pool-[012]$/);
  });
});
