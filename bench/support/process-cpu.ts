/**
 * CPU time used by processes (Linux /proc), for the benchmarks' "cost per event": a service
 * process by pid, and PostgreSQL and Redis by command name (their processes live across the
 * measured run: pools keep their connections).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** utime + stime of one process, in seconds; 0 once it has gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    // Fields after the command name (which may contain spaces, so split after its ')').
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds of every live process whose command name is `name` (e.g. 'postgres', 'redis-server'), by pid. */
export function cpuSecondsByCommand(name: string): Map<number, number> {
  const result = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== name) continue;
      result.set(Number(entry), cpuSecondsOf(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
  return result;
}

/** CPU seconds the processes named `name` used between two readings (processes that ended in between are not counted). */
export function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}
