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
 * scheduler's executor sends the serviceCallId there; the peers' workers send the call key). It
 * listens on a second port too, with the same routes and records: another origin, as another
 * tenant's endpoint would be.
 */
export class BenchTarget {
  private readonly arrivals = new Map<string, Arrival>();
  private server?: Server;
  private otherServer?: Server;
  private otherUrl?: string;

  constructor(private readonly slowDelayMs: number) {}

  async start(): Promise<string> {
    this.server = await this.listen();
    this.otherServer = await this.listen();
    this.otherUrl = urlOf(this.otherServer);
    return urlOf(this.server);
  }

  /** The same target on another origin (another port). */
  get otherOrigin(): string {
    if (!this.otherUrl) throw new Error('the bench target is not started');
    return this.otherUrl;
  }

  private async listen(): Promise<Server> {
    const server = createServer((req, res) => {
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
    server.keepAliveTimeout = 30_000;
    server.maxRequestsPerSocket = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 4096, resolve));
    return server;
  }

  firstArrival(key: string): number | undefined {
    return this.arrivals.get(key)?.firstAt;
  }

  arrivalCount(key: string): number {
    return this.arrivals.get(key)?.count ?? 0;
  }

  async stop(): Promise<void> {
    for (const server of [this.server, this.otherServer]) {
      server?.closeAllConnections();
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    }
  }
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
