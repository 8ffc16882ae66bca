import { cpuPerCall, idleMsPerSecond } from './cpu-per-call';
import { parseProcStat } from './proc-stat';
import { cpuTicks, processTree } from './process-tree';

const line = (pid: number, comm: string, ppid: number, utime: number, stime: number, cutime = 0, cstime = 0) =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 4 0 12345 1000 100\n`;

describe('parseProcStat', () => {
  it('reads pid, name, parent and ticks', () => {
    expect(parseProcStat(line(42, 'node', 1, 300, 50, 7, 3))).toEqual({
      pid: 42,
      comm: 'node',
      ppid: 1,
      ownTicks: 350,
      reapedChildTicks: 10,
    });
  });

  it('reads a name holding spaces and parentheses', () => {
    const stat = parseProcStat(line(7, 'postgres: walwriter (x) ', 6, 1, 2));
    expect(stat.comm).toBe('postgres: walwriter (x) ');
    expect(stat.ppid).toBe(6);
    expect(stat.ownTicks).toBe(3);
  });
});

describe('cpuTicks', () => {
  const stats = [
    parseProcStat(line(1, 'init', 0, 999, 999)),
    parseProcStat(line(10, 'postgres', 1, 100, 20, 30, 5)),
    parseProcStat(line(11, 'postgres', 10, 40, 10)),
    parseProcStat(line(12, 'postgres', 11, 1, 1)),
    parseProcStat(line(20, 'node', 1, 500, 100)),
  ];

  it('sums a process, its descendants and the children they reaped', () => {
    expect(processTree(10, stats).map((s) => s.pid)).toEqual([10, 11, 12]);
    expect(cpuTicks(10, stats, true)).toBe(100 + 20 + 30 + 5 + 40 + 10 + 2);
  });

  it('leaves out a descendant measured apart (the bench’s own backend)', () => {
    expect(processTree(10, stats, [11]).map((s) => s.pid)).toEqual([10]);
    expect(cpuTicks(10, stats, true, [11])).toBe(100 + 20 + 30 + 5);
  });

  it('counts one process alone, without the children it reaped, when asked', () => {
    expect(cpuTicks(10, stats, false)).toBe(120);
  });

  it('says undefined for a pid that is gone', () => {
    expect(cpuTicks(99, stats, true)).toBeUndefined();
  });
});

describe('cpuPerCall', () => {
  it('spreads the window CPU over completed calls and takes idle off', () => {
    // 250 ticks at 100/s = 2 500 ms over 10 s; idle 20 ms/s → 200 ms; 500 calls.
    expect(
      cpuPerCall({
        ticksBefore: 1000,
        ticksAfter: 1250,
        windowMs: 10_000,
        callsCompleted: 500,
        idleMsPerSecond: 20,
        ticksPerSecond: 100,
      }),
    ).toEqual({
      cpuMs: 2500,
      msPerCall: 5,
      idleMsPerSecond: 20,
      msPerCallNetOfIdle: 4.6,
    });
  });

  it('gives null per call when nothing completed', () => {
    expect(
      cpuPerCall({
        ticksBefore: 0,
        ticksAfter: 10,
        windowMs: 1000,
        callsCompleted: 0,
        idleMsPerSecond: 0,
        ticksPerSecond: 100,
      }).msPerCall,
    ).toBeNull();
  });

  it('measures idle CPU per second', () => {
    expect(idleMsPerSecond(100, 130, 5_000, 100)).toBe(60);
  });
});
