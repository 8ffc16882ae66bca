import { kafkajsRunner } from './kafkajs-runner';
import { platformaticRunner } from './platformatic-runner';
import { processCpuMs } from './process-cpu';
import { MeasuredWindow, RunRequest, RunResult } from './scenario';

/** Child process: runs one client through one scenario and prints its RunResult as the last line. */
async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2]) as RunRequest;
  const runner = request.client === 'kafkajs' ? kafkajsRunner(request.brokers) : platformaticRunner(request.brokers);
  let start: { cpu: NodeJS.CpuUsage; broker: number; wall: number } | undefined;
  let result: RunResult | undefined;
  const window: MeasuredWindow = {
    open: () => {
      start = { cpu: process.cpuUsage(), broker: processCpuMs(request.brokerPid), wall: performance.now() };
    },
    close: (messages, counts) => {
      if (!start) throw new Error('window closed before it was opened');
      const cpu = process.cpuUsage(start.cpu);
      result = {
        messages,
        clientCpuMs: (cpu.user + cpu.system) / 1_000,
        brokerCpuMs: processCpuMs(request.brokerPid) - start.broker,
        wallMs: performance.now() - start.wall,
        ...counts,
      };
    },
  };
  const { scenario } = request;
  if (scenario.pattern === 'produce') await runner.produce(scenario, window);
  else if (scenario.pattern === 'consume') await runner.consume(scenario, window);
  else await runner.idle(scenario, window);
  if (!result) throw new Error('no measurement taken');
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
