// `npm run emulator`: the platform and the chat UI on their own, against any bot's webhook.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseEmulatorArgs } from '../../src/cli/emulator-args.js';

const CLI = ['--import', 'tsx', 'src/cli/emulator.ts'];

function run(args: string[]) {
  const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  return { child, output: () => ({ stdout, stderr }) };
}

describe('npm run emulator', () => {
  it('parses its arguments and refuses missing or malformed ones with a message', () => {
    expect(parseEmulatorArgs(['--webhook', 'http://127.0.0.1:3000/webhook', '--secret', 's', '--token', 't'])).toEqual({
      webhookUrl: 'http://127.0.0.1:3000/webhook',
      channelSecret: 's',
      channelAccessToken: 't',
      port: 3001,
      host: '127.0.0.1',
      botName: 'LINE Official Account',
    });
    expect(parseEmulatorArgs(['--webhook', 'http://x/webhook', '--secret', 's']).channelAccessToken).toMatch(/^emulator-[0-9a-f]{32}$/);
    const cases: Array<[string[], string]> = [
      [['--secret', 's'], '--webhook <url> is required'],
      [['--webhook', 'http://127.0.0.1:1/webhook'], '--secret'],
      [['--webhook', 'not a url', '--secret', 's'], '--webhook must be a URL'],
      [['--webhook', 'ftp://x/', '--secret', 's'], 'must be an http(s) URL'],
      [['--webhook', 'http://127.0.0.1:1/webhook', '--secret', 's', '--port', 'abc'], '--port must be a port number'],
      [['--webhook', 'http://127.0.0.1:1/webhook', '--secret', 's', '--colour', 'red'], "Unknown option '--colour'"],
    ];
    for (const [args, message] of cases) expect(() => parseEmulatorArgs(args), args.join(' ')).toThrow(message);
  });

  it('exits with status 2 and the usage on bad arguments', async () => {
    const { child, output } = run(['--webhook', 'http://127.0.0.1:1/webhook']);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(output().stderr).toContain('emulator: --secret <channel secret> is required');
    expect(output().stderr).toContain('Usage: npm run emulator');
  });

  it('serves the Messaging API and the chat UI on one port and stops on SIGTERM', async () => {
    const { child, output } = run(['--webhook', 'http://127.0.0.1:9/webhook', '--secret', 's3cret', '--token', 'tok', '--port', '0', '--name', 'Clinic']);
    try {
      const deadline = Date.now() + 20_000;
      let base: string | undefined;
      while (!base && Date.now() < deadline) {
        base = /chat UI\s+(http:\/\/\S+)\/emulator/.exec(output().stdout)?.[1];
        if (!base) await new Promise((r) => setTimeout(r, 50));
      }
      if (!base) throw new Error(`no address printed: ${JSON.stringify(output())}`);

      expect((await fetch(`${base}/emulator`)).status).toBe(200);
      expect(await (await fetch(`${base}/emulator/api/info`)).json()).toEqual({ botName: 'Clinic' });
      const push = (token: string, text: string) =>
        fetch(`${base}/v2/bot/message/push`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ to: `U${'1'.repeat(32)}`, messages: [{ type: 'text', text }] }),
        });
      expect((await push('tok', 'hello')).status).toBe(200);
      expect((await push('wrong', 'hello')).status).toBe(401);
      expect((await push('tok', '')).status).toBe(400); // validation is on
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  }, 30_000);
});
