import { createServer } from 'node:net';

/** A TCP port nothing listens on right now (tests and benchmarks start services on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Settings that put the service on a free port and make the links it sends point at it. */
export async function publicServiceEnv(): Promise<{ PORT: string; PUBLIC_BASE_URL: string }> {
  const port = await freePort();
  return { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` };
}
