/**
 * What sending a check-in records on it: SENT (with the time) when its question goes out, and
 * the time of its one gentle reminder. One statement per check-in by default; the notification
 * sender uses the batched form, which writes the marks of the check-ins rendered at the same
 * moment in one statement each (a query per push was the worker's main cost in bench:followups).
 */
import type { Db, PrismaClient } from '../../db/client.js';
import { statementsOn, type Statement } from '../../db/statements.js';
import { createBatcher } from '../../jobs/intake-batcher.js';

export interface CheckinSendMarks {
  /** SCHEDULED → SENT at `at`; a check-in already past SCHEDULED is left as it is. */
  markSent(db: Db, checkinId: string, at: Date): Promise<void>;
  markReminded(db: Db, checkinId: string, at: Date): Promise<void>;
}

export const checkinSendMarks: CheckinSendMarks = {
  async markSent(db, id, at) {
    await db.followUpCheckin.updateMany({ where: { id, status: 'SCHEDULED' }, data: { status: 'SENT', sentAt: at } });
  },
  async markReminded(db, id, at) {
    await db.followUpCheckin.update({ where: { id }, data: { remindedAt: at } });
  },
};

/** Exported for its query-plan test (test/integration/notification-outcomes-plan.int.test.ts). */
export const MARK_SENT: Statement = {
  name: 'follow-up-checkin-mark-sent',
  text: `
    UPDATE follow_up_checkin c SET status = 'SENT', sent_at = v.at
    FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at)
    -- By primary key only: written "IS TRUE" so the planner cannot use the (status, due_at)
    -- index. With statistics from when few check-ins were SCHEDULED, it otherwise scans every
    -- SCHEDULED row to mark a batch (see the notification sender's outcome UPDATE).
    WHERE c.id = v.id AND (c.status = 'SCHEDULED') IS TRUE`,
};

const MARK_REMINDED: Statement = {
  name: 'follow-up-checkin-mark-reminded',
  text: `
    UPDATE follow_up_checkin c SET reminded_at = v.at
    FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at)
    WHERE c.id = v.id`,
};

/** Marks written in batches on `db`'s pool (the caller's db is not used). */
export function createBatchedCheckinSendMarks(db: Db | PrismaClient): CheckinSendMarks {
  const sql = statementsOn(db);
  const batched = (statement: Statement) => {
    const writes = createBatcher<{ id: string; at: Date }>({
      maxBatchSize: 500,
      maxConcurrentWrites: 2,
      write: async (marks) => {
        await sql.run(statement, [marks.map((m) => m.id), marks.map((m) => m.at)]);
      },
    });
    return (_db: Db, id: string, at: Date) => writes.add([{ id, at }]);
  };
  return { markSent: batched(MARK_SENT), markReminded: batched(MARK_REMINDED) };
}
