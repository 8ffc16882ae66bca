import { execFileSync } from 'node:child_process';

/** Pids in `ss -ltnpH` output (`users:(("java",pid=123,fd=45))`). */
export function pidsInSsOutput(text: string): number[] {
  return [...new Set([...text.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))];
}

/** The pid of the process listening on a loopback TCP port, found through `ss`, without touching the process. */
export function listeningPid(port: number): number | undefined {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    return pidsInSsOutput(out)[0];
  } catch {
    return undefined;
  }
}
