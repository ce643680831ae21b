/**
 * What a database failure means for the caller, whichever layer raised it: node-postgres
 * (a DatabaseError with `code`), Prisma over the pg adapter (the SQLSTATE in
 * `meta.driverAdapterError.cause.code`), or the connection itself (pool, socket).
 */

/** The SQLSTATE of a database error, if it carries one. */
export function sqlStateOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const record = e as { code?: unknown; meta?: { driverAdapterError?: { cause?: { code?: unknown } } }; cause?: unknown };
    const adapterCode = record.meta?.driverAdapterError?.cause?.code;
    if (typeof adapterCode === 'string') return adapterCode;
    // Prisma's own codes (P1001, P2010...) have the same length: not SQLSTATEs.
    if (typeof record.code === 'string' && /^[0-9A-Z]{5}$/.test(record.code) && !/^P\d{4}$/.test(record.code)) return record.code;
    e = record.cause;
  }
  return undefined;
}

/** Prisma's codes for "could not reach, lost, or waited too long for a connection". */
const PRISMA_CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const CONNECTION_MESSAGES = /Connection terminated|connection (?:is )?(?:closed|ended)|ECONNREFUSED|ECONNRESET|EPIPE|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (?:shutting down|starting up|in recovery)|Transaction already closed|Client was closed/i;

/**
 * True when the failure is the database's state, not the request's: a connection lost or
 * refused (restart, failover, pg_terminate_backend), the server starting or shutting down,
 * too many connections, a serialisation failure or deadlock. Such work must be retried as it
 * is, never recorded as the event's own failure.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  const state = sqlStateOf(err);
  if (state) return state.startsWith('08') || state.startsWith('57P') || state === '53300' || state === '40001' || state === '40P01';
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const record = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof record.code === 'string' && PRISMA_CONNECTION_CODES.has(record.code)) return true;
    if (typeof record.message === 'string' && CONNECTION_MESSAGES.test(record.message)) return true;
    e = record.cause;
  }
  return false;
}

/** True when the data itself was refused (SQLSTATE class 22: a NUL byte, a value out of range). */
export function isDataError(err: unknown): boolean {
  return sqlStateOf(err)?.startsWith('22') ?? false;
}
