import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', destination }) };
}

it('never writes a national ID in clear: fields are redacted, IDs in messages and errors masked', () => {
  const { lines, log } = capture();
  log.info({ nationalId: '1101700207030', user: { phone: '0812345678' } }, 'registered');
  log.warn('user typed 1101700207030 at the name step');
  log.error({ err: new Error('duplicate key 1101700207030') }, 'failed');
  const output = lines.join('');
  expect(output).not.toContain('1101700207030');
  expect(output).not.toContain('0812345678');
  expect(output).toContain('[redacted]');
  expect(output).toContain('x-xxxx-xxxxx-03-0');
  expect(lines).toHaveLength(3);
});
