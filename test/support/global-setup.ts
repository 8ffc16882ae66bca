import { failureReport } from '../../tools/infra/infrastructure-error';
import { startTestInfrastructure } from './test-infrastructure';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  try {
    const services = await startTestInfrastructure((line) => {
      if (process.env.SCS_TEST_VERBOSE) process.stderr.write(`${line}\n`);
    });
    (globalThis as Record<string, unknown>).__SCS_SERVICES__ = services;
    process.stderr.write(
      `\n[test infra] ${services.map((s) => s.description).join('; ')} ready in ${Date.now() - started} ms\n`,
    );
  } catch (error) {
    // Jest would print a stack trace; whatever did start is already stopped, so one line and out.
    process.stderr.write(`\n[test infra] failed: ${failureReport(error)}\n`);
    process.exit(1);
  }
}
