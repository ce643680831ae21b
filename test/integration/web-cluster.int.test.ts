// WEB_PROCESSES > 1: the web server runs in several processes sharing the port (node:cluster),
// started as `npm start` starts it (src/main.ts in its own process). Events posted to them are
// stored and handled once (by the test stack's workers), and SIGTERM to the first process
// stops every web process gracefully.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { startStack, textsOf, type TestStack } from '../support/stack.js';
import { startServiceProcess } from '../support/service-process.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Child pids of a process (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('several web processes (WEB_PROCESSES=2)', () => {
  let stack: TestStack;
  let primary: ChildProcess;
  let url: string;

  beforeAll(async () => {
    stack = await startStack();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    primary = (await startServiceProcess(stack, { ROLE: 'web', WEB_PROCESSES: '2', PORT: String(port) })).child;
    const deadline = Date.now() + 60_000;
    // Both processes ready: each answers /readyz once it has started.
    while (Date.now() < deadline && !(childrenOf(primary.pid!).length === 2 && (await fetch(`${url}/readyz`).then((r) => r.ok).catch(() => false)))) await sleep(200);
    stack.emulator.setWebhookUrl(`${url}/webhook`);
  }, 90_000);

  afterAll(async () => {
    if (primary && primary.exitCode === null) primary.kill('SIGKILL');
    await stack?.close();
  });

  it('stores and hands on the events of many users posted at once: each is answered once', async () => {
    const users = Array.from({ length: 12 }, () => stack.emulator.user());
    const sent = await Promise.all(users.map((u) => u.follow()));
    expect(sent.map((d) => d.status)).toEqual(Array(12).fill(200));
    for (const user of users) expect(textsOf(await user.nextMessages()).join('\n')).toContain('ยินดีต้อนรับ');
    await sleep(300);
    for (const user of users) expect(stack.emulator.store.messagesFor(user.userId)).toHaveLength(1);
  });

  it('stops every web process on SIGTERM to the first one, and exits 0', async () => {
    const children = childrenOf(primary.pid!);
    expect(children).toHaveLength(2);
    const exited = new Promise<number | null>((resolve) => primary.once('exit', (code) => resolve(code)));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(children.filter(isRunning)).toEqual([]);
  }, 30_000);
});
