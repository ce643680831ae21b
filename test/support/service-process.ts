/**
 * The service in its own process, started as `npm start` starts it (src/main.ts), pointed at a
 * test stack's database, Redis key space and LINE emulator. For tests that kill it, cut its
 * database or Redis away, or run several web processes: what happens to a real process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { TEST_REDIS_URL, type TestStack } from './stack.js';
import { freePort } from './ports.js';

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** True while the process runs. */
  alive(): boolean;
  /** Everything it wrote to stderr so far (a crash's message, for assertions and failures). */
  stderr(): string;
  /** Polls /readyz until it answers 200; throws with the process's stderr after `timeoutMs`. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startServiceProcess(stack: TestStack, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    // TEST_SERVICE_LOG=<file>: the process's log, for looking into a failure.
    stdio: ['ignore', process.env.TEST_SERVICE_LOG ? openSync(process.env.TEST_SERVICE_LOG, 'a') : 'ignore', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      ROLE: 'all',
      PORT: port,
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: stack.redisPrefix,
      LINE_CHANNEL_SECRET: stack.env.LINE_CHANNEL_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: stack.env.LINE_CHANNEL_ACCESS_TOKEN,
      LINE_API_BASE_URL: stack.env.LINE_API_BASE_URL,
      LINE_DATA_API_BASE_URL: stack.env.LINE_DATA_API_BASE_URL,
      LINE_EMULATOR: 'false',
      ID_HASH_KEY: stack.env.ID_HASH_KEY.toString('hex'),
      ID_ENCRYPTION_KEY: stack.env.ID_ENCRYPTION_KEY.toString('hex'),
      LOG_LEVEL: 'warn',
      WORKER_CONCURRENCY: '8',
      ...env,
    },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    url,
    exited,
    alive,
    stderr: () => stderr,
    async waitUntilReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (!alive()) throw new Error(`the service process exited (${child.exitCode ?? child.signalCode}):\n${stderr.slice(-3000)}`);
        if (await fetch(`${url}/readyz`).then((r) => r.ok).catch(() => false)) return;
        await sleep(200);
      }
      throw new Error(`the service process was not ready after ${timeoutMs} ms:\n${stderr.slice(-3000)}`);
    },
    async kill(signal = 'SIGKILL') {
      if (alive()) child.kill(signal);
      await exited;
    },
  };
}
