import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A free loopback port below the kernel's ephemeral range. A port the kernel hands out for
 * `listen(0)` is also one it hands out to outgoing connections (to Postgres, to the broker), so
 * between this check and an app's own listen, seconds later, a connection could take it
 * (EADDRINUSE in a CI run); ports below the range are only ever taken by a listen.
 */
export async function freePort(): Promise<number> {
  const ephemeralLow = lowestEphemeralPort();
  const low = 10_000;
  if (ephemeralLow - low >= 1_000)
    for (let i = 0; i < 100; i++) {
      const port = await listenOnce(low + Math.floor(Math.random() * (ephemeralLow - low)));
      if (port !== undefined) return port;
    }
  return (await listenOnce(0))!;
}

/** The first port of the kernel's ephemeral range, the one outgoing connections draw from. */
function lowestEphemeralPort(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low)) return low;
  } catch {
    // Not Linux: fall back to the IANA dynamic range.
  }
  return 49_152;
}

/** The first of `count` consecutive free ports (the stack gives its four apps PORT, PORT+1, …). */
export async function freePortRun(count: number, attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const first = await freePort();
    if (first + count - 1 > 65535) continue;
    const rest = await Promise.all(Array.from({ length: count - 1 }, (_, k) => listenOnce(first + k + 1)));
    if (rest.every((port) => port !== undefined)) return first;
  }
  throw new Error(`no run of ${count} free ports found in ${attempts} attempts`);
}

/** Listens on `port` (0: any) on loopback and closes again; the port it got, or undefined if it was taken. */
function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(got));
    });
  });
}
