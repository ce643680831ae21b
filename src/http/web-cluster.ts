/**
 * WEB_PROCESSES > 1: several web server processes share PORT (node:cluster; the primary
 * accepts connections and hands them round-robin to the processes). The webhook is CPU bound
 * in one Node process; this lets it use the machine's other cores. Each process is the same
 * `ROLE=web` service with its own PostgreSQL pool and Redis connection.
 *
 * The primary restarts a process that dies, and on stop() sends each one SIGTERM and waits:
 * each runs its own graceful shutdown (finishes open requests, closes its clients).
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../shared/logger.js';

export interface WebCluster {
  /** SIGTERM to every web process; resolves once all have exited. */
  stop(): Promise<void>;
}

/** True in a process the cluster primary forked: it runs one web server and nothing else. */
export const isWebClusterProcess = (): boolean => cluster.isWorker;

export function startWebCluster(options: { processes: number; log: Logger; restartDelayMs?: number }): WebCluster {
  const { log } = options;
  let stopping = false;
  // The children run this same entry point with these settings.
  const fork = (): Worker => cluster.fork({ ROLE: 'web', WEB_PROCESSES: '1' });

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log.error({ pid: worker.process.pid, code, signal }, 'web process died; starting another');
    setTimeout(() => {
      if (!stopping) fork();
    }, options.restartDelayMs ?? 1_000).unref();
  });
  for (let i = 0; i < options.processes; i++) fork();
  log.info({ processes: options.processes }, 'web processes started');

  return {
    async stop() {
      stopping = true;
      const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
      await Promise.all(
        running.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once('exit', () => resolve());
              worker.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
