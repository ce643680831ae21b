/**
 * A minimal router and body reader over node:http. The emulator sits on the hot path of
 * load tests (thousands of pushes per second), where Express's per-request overhead was
 * measured to cost more than half the throughput; the routing needed here is tiny.
 */
import type { IncomingMessage } from 'node:http';
import type { Route } from './route-contract.js';

/** A route that matched, with its decoded path parameters. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

interface PatternRoute {
  route: Route;
  method: string;
  pattern: RegExp;
  paramNames: string[];
}

/**
 * Literal paths are looked up in a map, so they win over patterns (`/richmenu/list` is
 * not a rich menu ID). Patterns are tried in registration order.
 */
export class Router {
  private readonly literals = new Map<string, Route>();
  private readonly patterns: PatternRoute[] = [];

  constructor(routes: readonly Route[]) {
    for (const route of routes) {
      const method = route.method.toUpperCase();
      if (!route.path.includes(':')) {
        this.literals.set(`${method} ${route.path}`, route);
        continue;
      }
      const paramNames: string[] = [];
      const source = route.path.replace(/:(\w+)/g, (_, name: string) => {
        paramNames.push(name);
        return '([^/]+)';
      });
      this.patterns.push({ route, method, pattern: new RegExp(`^${source}$`), paramNames });
    }
  }

  match(method: string, path: string): RouteMatch | undefined {
    const literal = this.literals.get(`${method} ${path}`);
    if (literal) return { route: literal, params: {} };
    for (const candidate of this.patterns) {
      if (candidate.method !== method) continue;
      const found = candidate.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      candidate.paramNames.forEach((name, index) => (params[name] = decodeURIComponent(found[index + 1]!)));
      return { route: candidate.route, params };
    }
    return undefined;
  }
}

/** Reads the whole request body, up to `limitBytes`. */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) tooLarge = true; // keep draining so the connection stays usable
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses a JSON body; an empty body is `undefined`, as if none was sent. */
export function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  return JSON.parse(bytes.toString('utf8'));
}
