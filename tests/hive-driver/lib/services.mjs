// What the starters of real services (slapd, ZooKeeper, PostgreSQL) share: a free loopback
// port, a TCP probe, and a child process that a dying test process takes down with it.
import { spawn } from 'node:child_process';
import net from 'node:net';

// A port nothing listens on right now (bound to 127.0.0.1:0 and released).
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Whether something accepts TCP connections on 127.0.0.1:port.
export function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// Spawns a service in the background with its output collected; it is killed (SIGKILL) when the
// test process exits, whatever the test did. stop(signal) signals it and waits for the exit.
export function spawnService(command, args, options = {}) {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const log = [];
  proc.stdout.on('data', (d) => log.push(d.toString()));
  proc.stderr.on('data', (d) => log.push(d.toString()));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const killOnExit = () => proc.kill('SIGKILL');
  process.on('exit', killOnExit);
  return {
    proc,
    exited,
    log: () => log.join(''),
    running: () => proc.exitCode === null && proc.signalCode === null,
    async stop(signal = 'SIGKILL') {
      process.removeListener('exit', killOnExit);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

// Polls probe() until it resolves truthy; fails with the service's log when the service exits
// first or the time is up.
export async function waitUntilUp(service, probe, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (!service.running() || Date.now() > deadline) {
      await service.stop();
      throw new Error(`${what} did not start:\n${service.log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
