import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { reservePort } from './port-reservation';

/** The ports `freePort` draws from: [low, high). */
export interface PortRange {
  readonly low: number;
  readonly high: number;
}

/**
 * A free loopback port below the kernel's ephemeral range, reserved for this process's lifetime.
 *
 * Below the range: a port the kernel hands out for `listen(0)` is also one it hands out to outgoing
 * connections (to Postgres, to the broker), so between this check and an app's own listen, seconds
 * later, a connection could take it (EADDRINUSE in a CI run). Reserved: two processes drawing at
 * once (a test's apps, another suite's stack and its broker) could otherwise both find the same port
 * free and race to listen on it, which one of them loses (EADDRINUSE again, a later CI run).
 */
export async function freePort(range = belowEphemeralRange()): Promise<number> {
  if (range.high - range.low >= 1_000)
    for (let i = 0; i < 100; i++) {
      const port = range.low + Math.floor(Math.random() * (range.high - range.low));
      if (await takeIfFree(port)) return port;
    }
  return (await listenOnce(0))!;
}

/** The first of `count` consecutive free ports (the stack gives its four apps PORT, PORT+1, …), each reserved. */
export async function freePortRun(count: number, attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const first = await freePort();
    if (first + count - 1 > 65535) continue;
    const rest = Array.from({ length: count - 1 }, (_, k) => first + k + 1);
    if (await takeAll(rest)) return first;
  }
  throw new Error(`no run of ${count} free ports found in ${attempts} attempts`);
}

async function takeAll(ports: readonly number[]): Promise<boolean> {
  for (const port of ports) if (!(await takeIfFree(port))) return false;
  return true;
}

/** Reserves `port` if no other process has, and keeps it if nothing listens on it; false otherwise. */
async function takeIfFree(port: number): Promise<boolean> {
  const reservation = await reservePort(port);
  if (!reservation) return false;
  if ((await listenOnce(port)) !== undefined) return true;
  reservation.release();
  return false;
}

/** From 10,000 up to the first port of the kernel's ephemeral range, the one outgoing connections draw from. */
function belowEphemeralRange(): PortRange {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low)) return { low: 10_000, high: low };
  } catch {
    // Not Linux: fall back to the IANA dynamic range.
  }
  return { low: 10_000, high: 49_152 };
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
