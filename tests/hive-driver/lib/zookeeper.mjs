// A real ZooKeeper 3.8 for the hive-driver suites: its own temp dir, 127.0.0.1 and a port the OS
// picked, in the foreground of a child process; stopped by the test.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, spawnService, waitUntilUp } from './services.mjs';

// Sends ZooKeeper's four-letter "ruok"; true when it answers "imok" (it serves clients then).
function isOk(port) {
  return new Promise((resolve) => {
    let reply = '';
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write('ruok'));
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (d) => (reply += d.toString()));
    socket.on('close', () => resolve(reply === 'imok'));
    socket.on('error', () => resolve(false));
  });
}

export async function startZooKeeper() {
  const dir = await mkdtemp(join(tmpdir(), 'kitsune-zk-'));
  await mkdir(join(dir, 'data'));
  const port = await freePort();
  await writeFile(
    join(dir, 'zoo.cfg'),
    [
      'tickTime=2000',
      `dataDir=${dir}/data`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok',
      '',
    ].join('\n'),
  );
  const service = spawnService(
    'java',
    ['-Xmx128m', '-cp', '/usr/share/java/*:/usr/share/zookeeper/*:/etc/zookeeper/conf',
      'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(dir, 'zoo.cfg')],
    { cwd: dir },
  );
  const stop = async () => {
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(service, () => isOk(port), 30000, 'ZooKeeper');
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return { address: `127.0.0.1:${port}`, port, dir, log: service.log, stop };
}
