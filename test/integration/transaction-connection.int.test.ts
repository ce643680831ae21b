// The hot statements of a chat round run on the connection of its Prisma transaction
// (src/db/transaction-connection.ts): they must be IN that transaction (same transaction id,
// see its uncommitted writes, roll back with it), and never touch the connection once Prisma
// has given it back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseClient, type PrismaClient } from '../../src/db/client.js';
import { statementsOn, type Statement } from '../../src/db/statements.js';
import { connectionOfTransaction, transactionWithConnection } from '../../src/db/transaction-connection.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isTransientDatabaseError } from '../../src/db/errors.js';

const TXID: Statement = { name: 'test-txid', text: 'SELECT txid_current()::text AS id' };
const COUNT_SESSIONS: Statement = { name: 'test-count-sessions', text: 'SELECT count(*)::int AS n FROM conversation_session WHERE line_user_id = $1' };

describe('statements in a chat round\'s transaction', () => {
  let database: TestDatabase;
  let db: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDatabaseClient({ url: database.url, poolSize: 4 });
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it('run in the transaction: same transaction id, its uncommitted writes seen, rolled back with it', async () => {
    const user = `U${'ab'.repeat(16)}`;
    let outside: number | undefined;
    await expect(
      transactionWithConnection(db, async (tx) => {
        expect(connectionOfTransaction(tx)).toBeDefined();
        const [prismaTx] = await tx.$queryRaw<Array<{ id: string }>>`SELECT txid_current()::text AS id`;
        const [ours] = await statementsOn(tx).run<{ id: string }>(TXID, []);
        expect(ours!.id).toBe(prismaTx!.id);
        await tx.$executeRaw`INSERT INTO conversation_session (line_user_id, version, updated_at) VALUES (${user}, 0, now())`;
        const [seen] = await statementsOn(tx).run<{ n: number }>(COUNT_SESSIONS, [user]);
        expect(seen!.n).toBe(1);
        // Another connection does not see it yet.
        const [other] = await statementsOn(db).run<{ n: number }>(COUNT_SESSIONS, [user]);
        outside = other!.n;
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(outside).toBe(0);
    const [after] = await statementsOn(db).run<{ n: number }>(COUNT_SESSIONS, [user]);
    expect(after!.n).toBe(0);
  });

  it('is not used for a plain $transaction, nor once the transaction has ended', async () => {
    await db.$transaction(async (tx) => {
      expect(connectionOfTransaction(tx)).toBeUndefined();
    });
    let ended: unknown;
    await transactionWithConnection(db, async (tx) => {
      ended = tx;
    });
    // Outside the scope there is nothing to find.
    expect(connectionOfTransaction(ended)).toBeUndefined();
    // Inside the scope, once Prisma has ended the transaction (its timeout: ROLLBACK), using
    // the connection is refused, as a failure to retry (not the event's own).
    let refused: unknown;
    await expect(
      transactionWithConnection(db, async (tx) => {
        await new Promise((r) => setTimeout(r, 300));
        try {
          await statementsOn(tx).run(TXID, []);
        } catch (err) {
          refused = err;
        }
      }, { timeout: 100 }),
    ).rejects.toThrow();
    expect(String(refused)).toMatch(/Transaction already closed/);
    expect(isTransientDatabaseError(refused)).toBe(true);
  });
});
