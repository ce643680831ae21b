/**
 * The express application: webhook, health, data-export download. Routes are thin and
 * receive their collaborators; errors end as RFC 9457 problem details.
 */
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from '../shared/logger.js';
import { sendProblem } from './problem.js';
import { withTimeout } from '../shared/with-timeout.js';

export interface Readiness {
  /** Resolves when the dependency answers; rejects otherwise. */
  [name: string]: () => Promise<unknown>;
}

export function createApp(deps: { log: Logger; webhook?: RequestHandler; routers: Router[]; readiness: Readiness; isShuttingDown: () => boolean }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);

  // First and on the app itself: every LINE event passes here, so it matches before anything else.
  if (deps.webhook) app.post('/webhook', deps.webhook);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (deps.isShuttingDown()) return sendProblem(res, 503, 'Shutting down');
    const checks = await Promise.all(
      Object.entries(deps.readiness).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 1_500);
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, err instanceof Error ? err.message : 'failed'] as const;
        }
      }),
    );
    const failing = checks.filter(([, state]) => state !== 'ok');
    if (failing.length > 0) return sendProblem(res, 503, 'Not ready', failing.map(([n, s]) => `${n}: ${s}`).join('; '), { checks: Object.fromEntries(checks) });
    res.json({ status: 'ready', checks: Object.fromEntries(checks) });
  });

  for (const router of deps.routers) app.use(router);

  app.use((_req, res) => sendProblem(res, 404, 'Not found'));

  // Body-parser errors (413, 400) and anything unexpected: a problem detail, never a stack.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status === 413) return sendProblem(res, 413, 'Payload too large', 'The body is over the 1 MB limit.');
    if (status >= 400 && status < 500) return sendProblem(res, status, 'Bad request');
    deps.log.error({ err }, 'unhandled error in HTTP handler');
    sendProblem(res, 500, 'Internal error');
  });

  return app;
}
