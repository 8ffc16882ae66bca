import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

interface Arrival {
  /** Date.now() when the first request with this key arrived. */
  readonly firstAt: number;
  count: number;
}

/**
 * The loopback target every system under test calls: `/fast` answers 200 at once, `/slow` after
 * `slowDelayMs`. It records only the first arrival time and the count per `Idempotency-Key` (the
 * scheduler's executor sends the serviceCallId there; the peers' workers send the call key).
 */
export class BenchTarget {
  private readonly arrivals = new Map<string, Arrival>();
  private server?: Server;

  constructor(private readonly slowDelayMs: number) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') {
        const seen = this.arrivals.get(key);
        if (seen) seen.count += 1;
        else this.arrivals.set(key, { firstAt: Date.now(), count: 1 });
      }
      req.resume();
      req.on('end', () => {
        const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        if (req.url?.startsWith('/slow')) setTimeout(answer, this.slowDelayMs);
        else answer();
      });
    });
    this.server.keepAliveTimeout = 30_000;
    this.server.maxRequestsPerSocket = 0;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', 4096, resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  firstArrival(key: string): number | undefined {
    return this.arrivals.get(key)?.firstAt;
  }

  arrivalCount(key: string): number {
    return this.arrivals.get(key)?.count ?? 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
