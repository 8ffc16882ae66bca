import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * CPU microseconds one wake-up of an otherwise idle Node process costs on this machine: a fresh
 * process runs a 10 ms interval for `seconds` and divides its CPU by the wake-ups. Every hop of a
 * call wakes a process (an app, a broker thread, a Postgres backend), so this is what the machine
 * charges per hop, and the CPU per call at low rates follows it (55–107 µs on the paravirtualized
 * machine of the sixth stop of 2026-12-05, where the same code needed twice the CPU per call of
 * the fifth stop's). Printed beside the figures so runs on different machines can be told apart.
 */
export async function wakeUpCpuMicros(seconds = 3): Promise<number> {
  const script = `
    let n = 0;
    const started = process.cpuUsage();
    const timer = setInterval(() => { n += 1; }, 10);
    setTimeout(() => {
      clearInterval(timer);
      const used = process.cpuUsage(started);
      process.stdout.write(JSON.stringify({ micros: (used.user + used.system) / n }));
    }, ${Math.round(seconds * 1000)});`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
  return Math.round((JSON.parse(stdout) as { micros: number }).micros);
}
