/**
 * The baseline of bench:webhook: the least a webhook can do (express, raw body, signature
 * check, 200), in its own process like the service, so the two are measured alike; with a
 * process count > 1, that many processes share the port (node:cluster), as the service does
 * with WEB_PROCESSES.
 * Usage: tsx bench/support/bare-webhook.ts <port> <channelSecret> [processes]
 */
import cluster from 'node:cluster';
import express from 'express';
import { validateSignature } from '@line/bot-sdk';

const [port, secret, processes = '1'] = process.argv.slice(2);
if (!port || !secret) {
  console.error('usage: bare-webhook.ts <port> <channelSecret> [processes]');
  process.exit(1);
}
if (Number(processes) > 1 && cluster.isPrimary) {
  for (let i = 0; i < Number(processes); i++) cluster.fork();
} else {
  const app = express();
  app.post('/webhook', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    const signature = req.get('x-line-signature');
    if (!signature || !validateSignature(req.body as Buffer, secret, signature)) return res.status(401).end();
    res.status(200).json({});
  });
  app.get('/readyz', (_req, res) => res.json({ status: 'ready' }));
  app.listen(Number(port), '127.0.0.1');
}
process.on('SIGTERM', () => process.exit(0));
