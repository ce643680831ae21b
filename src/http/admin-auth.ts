/**
 * The admin API's guard: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.
 * Without ADMIN_TOKEN the admin API is off and answers 404. Writes must be JSON (415 if not).
 * Mount it on '/admin' before the admin routes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from './problem.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export function createAdminAuth(adminToken: string | undefined): RequestHandler {
  const expected = adminToken ? sha256(adminToken) : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected) return sendProblem(res, 404, 'Not found', 'The admin API is disabled: ADMIN_TOKEN is not set.');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    // Hashing first makes both sides the same length, so the comparison time says nothing about the token.
    if (!match || !timingSafeEqual(sha256(match[1]!), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="admin"');
      return sendProblem(res, 401, 'Unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>.');
    }
    if (req.method !== 'GET' && !req.is('application/json')) return sendProblem(res, 415, 'Unsupported media type', 'Send a JSON body (Content-Type: application/json).');
    next();
  };
}
