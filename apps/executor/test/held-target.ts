import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A real HTTP target on loopback that records each request's path as it arrives and answers 200
 * only when the test releases it, so a test can look at the executor while calls are out.
 */
export class HeldTarget {
  readonly received: string[] = [];
  /** When each path's first request arrived (epoch ms). */
  readonly firstArrival = new Map<string, number>();
  private readonly held: ServerResponse[] = [];
  private holding = true;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? '/';
      if (!this.firstArrival.has(path)) this.firstArrival.set(path, Date.now());
      req.resume();
      req.on('end', () => {
        this.received.push(req.url ?? '/');
        if (this.holding) this.held.push(res);
        else res.end('ok');
      });
    });
    await new Promise<void>((listening) => this.server!.listen(0, '127.0.0.1', listening));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers every held request, and from now on answers at once. */
  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) if (!res.destroyed) res.end('ok');
  }

  /** Holds every request from now on, until the next release. */
  hold(): void {
    this.holding = true;
  }

  count(path: string): number {
    return this.received.filter((p) => p === path).length;
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise((closed) => this.server?.close(closed));
  }
}
