import { createServer } from 'node:net';
import { lowestEphemeralPort } from '../../tools/infra/free-port';

/**
 * The first of `count` consecutive free loopback ports, for commands that take a base PORT and use
 * the ones after it. Drawn below the kernel's ephemeral range, as `freePort` does: a port in it can
 * be taken by an outgoing connection between this check and the app's listen (EADDRINUSE in a CI run).
 */
export async function consecutiveFreePorts(count: number): Promise<number> {
  const low = 10_000;
  const span = Math.max(1_000, lowestEphemeralPort() - low - count);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = low + Math.floor(Math.random() * span);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
