// hive-driver against the kitsune-server gateway: 200 clients at once, 20 for each of 10 users,
// each on its own connection and session (USER share level). Every one must get its rows, each
// user exactly one engine, and the gateway no thread per connection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { connect, engineIdOf, openSession, query, sleep, startGateway, threadCount, withTimeout } from './lib/harness.mjs';

const USERS = 10;
const PER_USER = 20;

describe('200 concurrent sessions through the gateway', () => {
  let gateway;
  const conns = [];
  before(async () => {
    gateway = await startGateway();
  });
  after(async () => {
    for (const c of conns) c.client.close();
    assert.deepEqual(await gateway?.stop(), { code: 0, signal: null });
  });

  it('serves them all, with one engine per user and no thread per connection', async () => {
    // Warm up the gateway (its pools start on first use), then take the baseline.
    {
      const conn = await connect(gateway, { mode: 'plain', username: 'warmup', password: 'pw' });
      const { session } = await openSession(conn, { configuration: { 'kyuubi.engine.share.level': 'CONNECTION' } });
      assert.deepEqual(await query(conn, session, 'SELECT 1 AS one'), [{ one: 1 }]);
      await session.close();
      conn.client.close();
      await sleep(500);
    }
    const before = threadCount(gateway.proc.pid);

    const clients = [];
    for (let u = 0; u < USERS; u++) {
      for (let i = 0; i < PER_USER; i++) clients.push({ user: `user${u}`, i });
    }
    let peak = before;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, threadCount(gateway.proc.pid));
      } catch {
        // exiting
      }
    }, 20);
    const results = await withTimeout(Promise.all(clients.map(async ({ user, i }) => {
      const conn = await connect(gateway, { mode: 'plain', username: user, password: 'pw' });
      conns.push(conn);
      const { session } = await openSession(conn, { configuration: { 'set:hiveconf:kyuubi.engine.share.level': 'USER' } });
      const rows = await query(conn, session, `SELECT '${user}' AS who, ${i} * 2 AS twice`);
      const engineId = await engineIdOf(conn, session);
      return { user, i, rows, engineId, session };
    })), 120000, '200 sessions');
    clearInterval(sampler);

    for (const r of results) assert.deepEqual(r.rows, [{ who: r.user, twice: r.i * 2 }]);
    // One engine per user, the same for all 20 of its sessions.
    const byUser = new Map();
    for (const r of results) {
      if (!byUser.has(r.user)) byUser.set(r.user, new Set());
      byUser.get(r.user).add(r.engineId);
    }
    for (const [user, ids] of byUser) assert.equal(ids.size, 1, `${user} got engines ${[...ids].join(' ')}`);
    const engineIds = new Set(results.map((r) => r.engineId));
    assert.equal(engineIds.size, USERS);
    // Exactly 10 processes were launched for them (the warm-up's CONNECTION engine is gone).
    const procs = gateway.engines().filter((e) => e.conf['kyuubi.ha.namespace']?.includes('_USER_LOCAL/user'));
    assert.equal(procs.length, USERS, procs.map((p) => p.conf['kyuubi.ha.namespace']).join('\n'));
    assert.deepEqual(new Set(procs.map((p) => p.conf['kyuubi.ha.engine.ref.id'])), engineIds);
    assert.equal((gateway.log().match(/launching LOCAL engine \S+ for user\d/g) ?? []).length, USERS);

    // 200 open connections and sessions, and the gateway has the threads it had with none.
    const now = threadCount(gateway.proc.pid);
    assert.ok(now <= before + 4, `threads: ${before} before, ${now} with 200 sessions open`);
    assert.ok(peak <= before + 8, `threads: ${before} before, at most ${peak} during`);

    await withTimeout(Promise.all(results.map((r) => r.session.close())), 60000, 'closing 200 sessions');
  });
});
