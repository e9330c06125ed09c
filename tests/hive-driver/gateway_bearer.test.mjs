// Bearer tokens on both HTTP frontends through the documented example token provider
// (docs/examples/token_provider, a file of token digests), with CUSTOM passwords from the example
// password provider: Thrift over HTTP from hive-driver, the REST API from fetch.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { HiveClient, HiveDriver, HiveUtils, T, TCLIService, connections, openSession, query, startGateway, withTimeout } from './lib/harness.mjs';

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

// hive-driver has no Bearer mode: an authentication object of ours sets the header, as a
// provider's `headers` would.
const bearerAuth = (token) => ({
  authenticate(transport) {
    transport.setOptions('headers', { Authorization: `Bearer ${token}` });
    return Promise.resolve(transport);
  },
});

describe('Bearer tokens over HTTP (the example token provider)', () => {
  const aliceToken = randomBytes(32).toString('hex');
  const bobToken = randomBytes(32).toString('hex');
  let dir;
  let tokenFile;
  let gateway;

  before(async () => {
    assert.ok(process.env.KITSUNE_EXAMPLE_TOKEN_PROVIDER, 'KITSUNE_EXAMPLE_TOKEN_PROVIDER is unset (run through ctest)');
    dir = await mkdtemp(join(tmpdir(), 'kitsune-bearer-'));
    tokenFile = join(dir, 'tokens.txt');
    await writeFile(tokenFile, `# digests, not tokens\n${sha256(aliceToken)} alice\n${sha256(bobToken)} bob\n`);
    const usersFile = join(dir, 'users.txt');
    await writeFile(usersFile, `carol:${sha256('carol password')}\n`);
    gateway = await startGateway({
      auth: 'CUSTOM',
      conf: {
        'kyuubi.frontend.protocols': 'THRIFT_BINARY,THRIFT_HTTP,REST',
        'kitsune.authentication.custom.library': process.env.KITSUNE_EXAMPLE_PASSWORD_PROVIDER,
        'kitsune.authentication.custom.users.file': usersFile,
        'kitsune.authentication.custom.bearer.library': process.env.KITSUNE_EXAMPLE_TOKEN_PROVIDER,
        'kitsune.authentication.custom.token.file': tokenFile,
      },
    });
    assert.ok(gateway.http && gateway.restUrl, `the gateway printed no HTTP addresses:\n${gateway.log()}`);
  });

  after(async () => {
    if (gateway) {
      for (const token of [aliceToken, bobToken]) assert.ok(!gateway.log().includes(token), 'a token is in the gateway log');
      assert.deepEqual(await gateway.stop(), { code: 0, signal: null });
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('logs hive-driver in over Thrift HTTP as the token\'s user and runs a query', async () => {
    const client = new HiveClient(TCLIService, T);
    client.on('error', () => {});
    await withTimeout(
      client.connect({ host: gateway.http.host, port: gateway.http.port, options: { path: '/cliservice' } }, new connections.HttpConnection(), bearerAuth(aliceToken)),
      10000,
      'connect with a Bearer token',
    );
    const conn = { client, driver: new HiveDriver(T, client.getClient()), utils: new HiveUtils(T) };
    try {
      const { session } = await openSession(conn);
      assert.deepEqual(await query(conn, session, 'SELECT 40 + 2 AS answer'), [{ answer: 42 }]);
      const info = await withTimeout(conn.driver.getInfo({ sessionHandle: session.sessionHandle, infoType: T.TGetInfoType.CLI_USER_NAME }), 10000, 'GetInfo');
      assert.equal(info.infoValue.stringValue, 'alice');
      await session.close();
    } finally {
      client.close();
    }
    await gateway.waitForLog(/user="alice"\tmechanism=BEARER\t.*result=allowed/);
  });

  it('opens a REST session as the token\'s user; a wrong token gets 401 naming the schemes', async () => {
    const opened = await fetch(`${gateway.restUrl}/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bobToken}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(opened.status, 200, await opened.clone().text());
    const { identifier } = await opened.json();
    const got = await fetch(`${gateway.restUrl}/sessions/${identifier}`, { headers: { Authorization: `Bearer ${bobToken}` } });
    assert.equal((await got.json()).user, 'bob');
    // Basic through the CUSTOM password provider still works beside it.
    const basic = await fetch(`${gateway.restUrl}/ping`, { headers: { Authorization: `Basic ${Buffer.from('carol:carol password').toString('base64')}` } });
    assert.equal(basic.status, 200);

    const wrong = await fetch(`${gateway.restUrl}/ping`, { headers: { Authorization: `Bearer ${randomBytes(32).toString('hex')}` } });
    assert.equal(wrong.status, 401);
    assert.ok((await wrong.json()).message.length > 0);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /Bearer/);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /Basic/);
    const closed = await fetch(`${gateway.restUrl}/sessions/${identifier}`, { method: 'DELETE', headers: { Authorization: `Bearer ${bobToken}` } });
    assert.equal(closed.status, 200);
  });

  it('answers 503, not 401, while the token file is unreadable, and recovers when it is back', async () => {
    const saved = `${tokenFile}.saved`;
    const { rename } = await import('node:fs/promises');
    await rename(tokenFile, saved);
    try {
      const r = await fetch(`http://${gateway.http.host}:${gateway.http.port}/cliservice`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${aliceToken}`, 'Content-Type': 'application/x-thrift' },
        body: Buffer.from([0x80, 0x01, 0x00, 0x01]),
      });
      assert.equal(r.status, 503);
    } finally {
      await rename(saved, tokenFile);
    }
    const ok = await fetch(`${gateway.restUrl}/ping`, { headers: { Authorization: `Bearer ${aliceToken}` } });
    assert.equal(ok.status, 200);
  });
});
