// Batches over the REST API against a real kitsune-server: a SQL batch runs through the gateway's
// own engines, its state is in the SQLite metadata store and survives a restart of the gateway.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sleep, startGateway } from './lib/harness.mjs';

const basic = (user) => `Basic ${Buffer.from(`${user}:pw`).toString('base64')}`;

async function call(api, method, path, { user = 'alice', body, headers = {} } = {}) {
  const isForm = body instanceof FormData;
  const r = await fetch(`${api}${path}`, {
    method,
    headers: {
      Authorization: basic(user),
      ...(body !== undefined && !isForm ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, text, json };
}

async function waitForEnd(api, id, user = 'alice') {
  for (let i = 0; i < 200; i++) {
    const b = await call(api, 'GET', `/batches/${id}`, { user });
    assert.equal(b.status, 200, b.text);
    if (['FINISHED', 'ERROR', 'CANCELED'].includes(b.json.state)) return b.json;
    await sleep(100);
  }
  throw new Error(`batch ${id} did not end`);
}

describe('batches', () => {
  let dir;
  let gateway;
  let conf;
  let env;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kitsune-batches-'));
    conf = {
      'kyuubi.metadata.store.jdbc.url': `jdbc:sqlite:${join(dir, 'state.db')}`,
      'kyuubi.batch.resource.file.max.size': '4096',
      'kyuubi.server.administrators': 'boss',
    };
    env = { KYUUBI_WORK_DIR_ROOT: join(dir, 'work') };
    gateway = await startGateway({ conf, env });
  });
  after(async () => {
    if (gateway) await gateway.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a SQL batch runs, and its state and log survive a restart of the gateway', async () => {
    const script = join(dir, 'job.sql');
    await writeFile(
      script,
      "-- a comment; with a semicolon\nCREATE TABLE batch_t (id INT, name STRING);\n" +
        "INSERT INTO batch_t VALUES (1, 'a;b'), (2, 'c');\nSELECT id, name FROM batch_t ORDER BY id;\n",
    );
    // A script named by path must belong to the user it runs as, or be run by an administrator
    // (its statements are echoed into the batch log): boss is one.
    const submitted = await call(gateway.restUrl, 'POST', '/batches', {
      user: 'boss',
      body: { batchType: 'sql', resource: script, name: 'nightly', conf: {}, args: [] },
    });
    const refused = await call(gateway.restUrl, 'POST', '/batches', {
      body: { batchType: 'sql', resource: script, name: 'not-mine' },
    });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(submitted.status, 200, submitted.text);
    assert.equal(submitted.json.batchType, 'SQL');
    assert.equal(submitted.json.user, 'boss');
    const id = submitted.json.id;
    const ended = await waitForEnd(gateway.restUrl, id, 'boss');
    assert.equal(ended.state, 'FINISHED', JSON.stringify(ended));
    const log = await call(gateway.restUrl, 'GET', `/batches/${id}/localLog?from=0&size=100`, { user: 'boss' });
    assert.equal(log.status, 200, log.text);
    assert.ok(log.json.logRowSet.some((l) => /a;b/.test(l)), log.text);

    await gateway.stop();
    gateway = await startGateway({ conf, env });
    const after = await call(gateway.restUrl, 'GET', `/batches/${id}`, { user: 'boss' });
    assert.equal(after.status, 200, after.text);
    assert.equal(after.json.state, 'FINISHED');
    assert.equal(after.json.name, 'nightly');
    assert.equal(after.json.createTime, ended.createTime);
    const listed = await call(gateway.restUrl, 'GET', '/batches?batchType=SQL&batchUser=boss', { user: 'boss' });
    assert.ok(listed.json.batches.some((b) => b.id === id), listed.text);
    const logAgain = await call(gateway.restUrl, 'GET', `/batches/${id}/localLog?from=0&size=100`, {
      user: 'boss',
    });
    assert.deepEqual(logAgain.json.logRowSet, log.json.logRowSet);
  });

  test('a failing statement ends the batch in ERROR naming it', async () => {
    const script = join(dir, 'bad.sql');
    await writeFile(script, 'SELECT 1;\nSELECT * FROM missing_table;\nSELECT 2;\n');
    const submitted = await call(gateway.restUrl, 'POST', '/batches', {
      user: 'boss',
      body: { batchType: 'SQL', resource: script, name: 'bad' },
    });
    assert.equal(submitted.status, 200, submitted.text);
    const ended = await waitForEnd(gateway.restUrl, submitted.json.id, 'boss');
    assert.equal(ended.state, 'ERROR');
    const log = await call(gateway.restUrl, 'GET', `/batches/${submitted.json.id}/localLog?from=0&size=100`, {
      user: 'boss',
    });
    assert.ok(log.json.logRowSet.some((l) => /missing_table/.test(l)), log.text);
  });

  test('an uploaded script runs; unsafe names and oversized files are refused', async () => {
    const form = new FormData();
    form.append('batchRequest', JSON.stringify({ batchType: 'SQL', resource: 'upload.sql', name: 'uploaded' }));
    form.append('resourceFile', new Blob(['SELECT 40 + 2 AS answer;\n']), 'upload.sql');
    const submitted = await call(gateway.restUrl, 'POST', '/batches', { body: form });
    assert.equal(submitted.status, 200, submitted.text);
    const ended = await waitForEnd(gateway.restUrl, submitted.json.id);
    assert.equal(ended.state, 'FINISHED', JSON.stringify(ended));

    const traversal = new FormData();
    traversal.append('batchRequest', JSON.stringify({ batchType: 'SQL', resource: 'x.sql' }));
    traversal.append('resourceFile', new Blob(['SELECT 1;']), '../../escape.sql');
    const refused = await call(gateway.restUrl, 'POST', '/batches', { body: traversal });
    assert.equal(refused.status, 400, refused.text);

    const big = new FormData();
    big.append('batchRequest', JSON.stringify({ batchType: 'SQL', resource: 'big.sql' }));
    big.append('resourceFile', new Blob(['-- '.padEnd(10000, 'x')]), 'big.sql');
    const tooBig = await call(gateway.restUrl, 'POST', '/batches', { body: big });
    assert.equal(tooBig.status, 400, tooBig.text);
    assert.match(tooBig.json.message, /4096/);
  });

  test("bad requests are 400 and another user's batch is 403", async () => {
    const bad = await call(gateway.restUrl, 'POST', '/batches', { body: { batchType: 'SPARK', resource: 'x.jar' } });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.json.message, /classname/i);
    const garbage = await fetch(`${gateway.restUrl}/batches`, {
      method: 'POST',
      headers: { Authorization: basic('alice'), 'Content-Type': 'application/json' },
      body: '{"batchType":',
    });
    assert.equal(garbage.status, 400);
    const mine = (await call(gateway.restUrl, 'GET', '/batches?batchUser=alice')).json.batches[0];
    const bob = await call(gateway.restUrl, 'GET', `/batches/${mine.id}`, { user: 'bob' });
    assert.equal(bob.status, 403, bob.text);
    const boss = await call(gateway.restUrl, 'GET', `/batches/${mine.id}`, { user: 'boss' });
    assert.equal(boss.status, 200, boss.text);
    assert.equal((await call(gateway.restUrl, 'GET', '/batches/00000000-0000-0000-0000-000000000000')).status, 404);
  });
});
