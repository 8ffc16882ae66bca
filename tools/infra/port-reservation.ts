import { createServer, Server } from 'node:net';

export interface PortReservation {
  release(): void;
}

/**
 * Reserves a TCP port number among every process on this machine that reserves through here, for
 * as long as this process lives (or until released): a Linux abstract-namespace socket named after
 * the port, which only one process can hold and which the kernel frees when its holder exits, even
 * on SIGKILL. No file is left behind, and processes of other users see it too.
 *
 * Undefined when another live process holds it. Elsewhere than Linux there is no such namespace: the
 * reservation always succeeds and holds nothing, and only the caller's own listen check remains.
 */
export function reservePort(port: number): Promise<PortReservation | undefined> {
  if (process.platform !== 'linux') return Promise.resolve({ release: () => undefined });
  return new Promise((resolve, reject) => {
    const holder: Server = createServer();
    holder.unref();
    holder.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error),
    );
    holder.listen(`\0service-call-scheduler/port/${port}`, () => resolve({ release: () => void holder.close() }));
  });
}
