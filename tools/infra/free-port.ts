import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return (await listenOnce(0))!;
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
