import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, PortRange } from '../../tools/infra/free-port';
import { reservePort } from '../../tools/infra/port-reservation';
import { projectRoot } from '../../tools/infra/project-root';

const compiled = join(projectRoot(), 'dist', 'tools', 'infra', 'free-port.js');

/** A separate Node process that draws `count` ports from `range`, prints them, and holds them until its stdin closes. */
function drawingProcess(range: PortRange, count: number): { child: ChildProcess; ports: Promise<number[]> } {
  const script = `
    const { freePort } = require(${JSON.stringify(compiled)});
    (async () => {
      const ports = [];
      for (let i = 0; i < ${count}; i++) ports.push(await freePort(${JSON.stringify(range)}));
      process.stdout.write(JSON.stringify(ports) + '\\n');
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ports = new Promise<number[]>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(JSON.parse(out) as number[]);
    });
    child.once('exit', (code) => reject(new Error(`the drawing process exited (${code}) before printing its ports`)));
  });
  return { child, ports };
}

/** A block of 1,000 ports below the ephemeral range, different in each run. */
function someRange(): PortRange {
  const low = 12_000 + 1_000 * Math.floor(Math.random() * 15);
  return { low, high: low + 1_000 };
}

/**
 * Two suites start their apps, brokers and databases at once, each on ports it drew as free; before
 * reservations, both could draw the same port and one app then failed to listen (EADDRINUSE).
 */
describe('freePort across processes', () => {
  beforeAll(() => {
    if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run \`npm run build\` first (npm test does)`);
  });

  it('never gives two live processes the same port, though both draw at once from one small range', async () => {
    const range = someRange();
    const drawers = [drawingProcess(range, 300), drawingProcess(range, 300)];
    try {
      const [first, second] = await Promise.all(drawers.map((d) => d.ports));
      for (const ports of [first, second]) {
        expect(new Set(ports).size).toBe(300);
        for (const port of ports) expect(port >= range.low && port < range.high).toBe(true);
      }
      // 300 random draws each from 1,000 ports meet about 90 times without reservations.
      expect(first.filter((port) => second.includes(port))).toEqual([]);
    } finally {
      for (const { child } of drawers) child.stdin!.end();
    }
  }, 60_000);

  it('holds a port while the drawing process lives, and frees it when that process exits, even killed', async () => {
    const drawer = drawingProcess(someRange(), 1);
    const exited = new Promise((r) => drawer.child.once('exit', r));
    let port: number;
    try {
      [port] = await drawer.ports;
      expect(await reservePort(port)).toBeUndefined();
    } finally {
      drawer.child.kill('SIGKILL');
      await exited;
    }
    const reservation = await reservePort(port);
    expect(reservation).toBeDefined();
    reservation!.release();
  }, 30_000);

  it('does not give this process a port it already drew', async () => {
    const range = someRange();
    const ports: number[] = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort(range));
    expect(new Set(ports).size).toBe(200);
  });
});
