/**
 * Settings, parsed once from the environment by the composition root (src/main.ts and the
 * CLIs). A missing or malformed setting stops start-up with a message naming it.
 * Every setting is listed, with a comment, in .env.example.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** 32 bytes as 64 hex characters or base64: keys for HMAC and AES-256-GCM. */
const key32 = z
  .string()
  .transform((v, ctx) => {
    const buf = /^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
    if (buf.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes (64 hex characters or base64)' });
      return z.NEVER;
    }
    return buf;
  });

/**
 * Certificate keys: one or more PEM blocks one after the other, or a JSON array of PEM/JWK
 * strings or JWK objects. `\n` written literally (one-line .env values) is read as a newline.
 * Each key is parsed here so a malformed one stops start-up naming the setting.
 */
function keyList(kind: 'private' | 'public') {
  return z.string().transform((raw, ctx) => {
    const trimmed = raw.trim();
    // JSON keeps its own escapes; only bare PEM text gets `\n` turned into newlines.
    const text = /^[[{]/.test(trimmed) ? trimmed : trimmed.replace(/\\n/g, '\n');
    let items: string[];
    if (text.startsWith('[')) {
      try {
        const parsed = JSON.parse(text) as unknown;
        if (!Array.isArray(parsed)) throw new Error('not an array');
        items = parsed.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of PEM/JWK keys, or PEM blocks one after the other' });
        return z.NEVER;
      }
    } else if (text.startsWith('{')) {
      items = [text];
    } else {
      items = text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
    }
    if (items.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'no key found (expected PEM blocks or a JSON array)' });
      return z.NEVER;
    }
    for (const [index, item] of items.entries()) {
      const problem = keyProblem(item, kind);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: `key ${index + 1}: ${problem}` });
        return z.NEVER;
      }
    }
    return items;
  });
}

/** Why a PEM/JWK string is not a usable ES256 (P-256) key of the wanted kind; null if it is. */
function keyProblem(item: string, kind: 'private' | 'public'): string | null {
  try {
    const isPem = item.trim().startsWith('-----BEGIN');
    const jwk = isPem ? undefined : (JSON.parse(item) as Record<string, unknown>);
    const isPrivate = isPem ? /PRIVATE KEY-----/.test(item) : typeof jwk?.d === 'string';
    if (kind === 'private' && !isPrivate) return 'a private key is required (the newest one signs)';
    const key = isPrivate
      ? createPublicKey(isPem ? createPrivateKey(item) : createPrivateKey({ key: jwk as never, format: 'jwk' }))
      : isPem ? createPublicKey(item) : createPublicKey({ key: jwk as never, format: 'jwk' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return 'must be an EC P-256 (ES256) key';
    return null;
  } catch {
    return 'not a readable PEM or JWK key';
  }
}

/** A PEM setting (certificate or private key); literal `\n` is read as a newline. */
function pem(kind: 'certificate' | 'private key') {
  return z.string().transform((raw, ctx) => {
    const text = raw.replace(/\\n/g, '\n').trim();
    try {
      if (kind === 'certificate') new X509Certificate(text);
      else createPrivateKey(text);
      return text;
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a PEM ${kind}` });
      return z.NEVER;
    }
  });
}

/** "host:port,host:port" (IPv6 as [::1]:7000) → the seed nodes of a Redis Cluster. */
const redisNodes = z.string().transform((raw, ctx) => {
  const nodes: Array<{ host: string; port: number }> = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(item);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not host:port` });
      return z.NEVER;
    }
    nodes.push({ host: match[1] ?? match[2]!, port });
  }
  if (nodes.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'list at least one host:port' });
    return z.NEVER;
  }
  return nodes;
});

/** The settings without cross-field rules: CLIs pick the few they need from it. */
export const envFields = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** A client must send its request headers within this many ms, and the whole request (body too) within the next setting; then its connection is closed (slow clients cannot hold the server). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  /** Public base URL of this service, used in links we send (exports, certificates). */
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }),
  /**
   * Seed nodes of a Redis Cluster; unset: REDIS_URL is one Redis. When set, REDIS_URL only
   * gives the nodes' username, password and TLS (rediss:).
   */
  REDIS_CLUSTER_NODES: redisNodes.optional(),
  /**
   * Prefix for every Redis key and BullMQ queue, so environments and tests never collide.
   * Queues use it as a Cluster hash tag, `{morprom}` (src/jobs/queues.ts: queuePrefix).
   */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('morprom'),
  /** Leave both LINE credentials empty outside production to run against the built-in emulator. */
  LINE_CHANNEL_SECRET: z.string().min(1).optional(),
  LINE_CHANNEL_ACCESS_TOKEN: z.string().min(1).optional(),
  LINE_API_BASE_URL: z.url().default('https://api.line.me'),
  LINE_DATA_API_BASE_URL: z.url().default('https://api-data.line.me'),
  /** Run the local LINE platform inside this process and point the SDK at it. */
  LINE_EMULATOR: bool.default(false),
  /** Which parts this process runs: both (default), only the web server, or only workers. */
  ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
  /**
   * Web server processes sharing PORT (node:cluster) for ROLE=web or all: the webhook is CPU
   * bound in one process; more processes use more cores. Not with the built-in emulator.
   */
  WEB_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** HMAC key for the keyed hash of national IDs / passport numbers (lookup and uniqueness). */
  ID_HASH_KEY: key32,
  /** AES-256-GCM key that encrypts ID numbers for masked display. */
  ID_ENCRYPTION_KEY: key32,
  /** Conversation state expires after this many minutes of silence. */
  SESSION_TTL_MINUTES: z.coerce.number().int().min(1).default(30),
  /** Reply tokens live about a minute; after this many seconds we push instead. */
  REPLY_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).max(60).default(50),
  /** Identity checks allowed per LINE user per hour (a checksum passes 1 in 10 random IDs). */
  IDENTITY_ATTEMPTS_PER_HOUR: z.coerce.number().int().min(1).default(10),
  /** How long a data-export link stays valid. */
  EXPORT_LINK_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /** Current PDPA consent text version; bump it when the text in src/i18n changes. */
  CONSENT_VERSION: z.string().min(1).default('2021-04-01'),
  /** HMAC key of the appointment QR/calendar links; unset: derived from ID_HASH_KEY (HKDF). */
  APPOINTMENT_LINK_KEY: key32.optional(),
  /** How long callers finding the same slot full share one search for alternatives (0: off). */
  BOOKING_ALTERNATIVES_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /**
   * LINE push requests per second, across every worker (LINE allows 2,000/s per channel; more
   * only where LINE raised the channel's limit, or against the emulator in benchmarks).
   */
  PUSH_RATE_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(2000),
  /** Send batches one worker process runs at once (each paces its pushes under the limit). */
  NOTIFICATION_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(8),
  /** Notifications per send batch (one job, one read, one outcome write). */
  NOTIFICATION_SEND_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  /** Push attempts per notification (429, 5xx, network) before it is recorded FAILED. */
  NOTIFICATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** How often the dispatcher hands due notifications to the queue (ms). */
  NOTIFICATION_DISPATCH_EVERY_MS: z.coerce.number().int().min(100).default(5000),
  /** Notifications due within this many ms are queued ahead, as delayed jobs. */
  NOTIFICATION_LOOKAHEAD_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** Symptom follow-up schedule after each dose (issue 6): 'morprom' days 1, 7, 30; 'vsafe' CDC v-safe. */
  FOLLOW_UP_PROFILE: z.enum(['morprom', 'vsafe']).default('morprom'),
  /** Bearer token for the admin API. */
  ADMIN_TOKEN: z.string().min(16).optional(),
  // Vaccination certificates (issue 5): see .env.example for the formats.
  /** SMART Health Card signing keys (ES256); the last private key signs, the others still verify. */
  SHC_SIGNING_KEYS: keyList('private').optional(),
  /** SHC issuer (iss); unset: PUBLIC_BASE_URL. Keys are published at <iss>/.well-known/jwks.json. */
  SHC_ISSUER: z.url().optional(),
  /** Public keys of retired SHC signing keys, still published so the cards they signed verify. */
  SHC_RETIRED_PUBLIC_KEYS: keyList('public').optional(),
  /** 32-byte secret of the SHC revocation ids (rid); unset: derived from ID_HASH_KEY (HKDF). */
  CERTIFICATE_REVOCATION_SECRET: key32.optional(),
  /** EU DCC document signer certificate and its private key (PEM, ES256). */
  DCC_SIGNER_CERT: pem('certificate').optional(),
  DCC_SIGNER_KEY: pem('private key').optional(),
  /** How long an international pass (EU DCC) is valid, in days. */
  DCC_VALIDITY_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** Trust lists for the verifier (file paths): other SHC issuers' keys, EU DCC signer certificates. */
  TRUSTED_SHC_JWKS: z.string().min(1).optional(),
  TRUSTED_DCC_CERTS: z.string().min(1).optional(),
});

export const envSchema = envFields.superRefine((env, ctx) => {
  const hasSecret = env.LINE_CHANNEL_SECRET !== undefined;
  const hasToken = env.LINE_CHANNEL_ACCESS_TOKEN !== undefined;
  if (hasSecret !== hasToken) {
    ctx.addIssue({ code: 'custom', path: [hasSecret ? 'LINE_CHANNEL_ACCESS_TOKEN' : 'LINE_CHANNEL_SECRET'], message: 'set both LINE credentials, or neither (emulator mode)' });
  }
  if (env.NODE_ENV === 'production' && (!hasSecret || env.LINE_EMULATOR)) {
    ctx.addIssue({ code: 'custom', path: ['LINE_CHANNEL_SECRET'], message: 'production needs real LINE credentials and LINE_EMULATOR=false' });
  }
  if (env.WEB_PROCESSES > 1 && (env.LINE_EMULATOR || !hasSecret)) {
    // The emulator and its chat UI keep their state in one process.
    ctx.addIssue({ code: 'custom', path: ['WEB_PROCESSES'], message: 'more than 1 web process needs real LINE credentials and LINE_EMULATOR=false' });
  }
  if (env.REDIS_CLUSTER_NODES && !/^\/?0?$/.test(new URL(env.REDIS_URL).pathname)) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'a Redis Cluster has only database 0: drop the /<db> from REDIS_URL' });
  }
  if ((env.DCC_SIGNER_CERT === undefined) !== (env.DCC_SIGNER_KEY === undefined)) {
    ctx.addIssue({ code: 'custom', path: [env.DCC_SIGNER_CERT ? 'DCC_SIGNER_KEY' : 'DCC_SIGNER_CERT'], message: 'set both DCC_SIGNER_CERT and DCC_SIGNER_KEY, or neither (development)' });
  }
  // Development makes certificate keys at start; production must keep them across restarts.
  if (env.NODE_ENV === 'production' && env.SHC_SIGNING_KEYS === undefined) {
    ctx.addIssue({ code: 'custom', path: ['SHC_SIGNING_KEYS'], message: 'production needs the SMART Health Card signing keys' });
  }
  if (env.NODE_ENV === 'production' && env.DCC_SIGNER_CERT === undefined) {
    ctx.addIssue({ code: 'custom', path: ['DCC_SIGNER_CERT'], message: 'production needs the EU DCC signer certificate and key' });
  }
});

/** True when the service should run its own LINE platform (no credentials, or asked to). */
export function usesEmulator(env: Env): boolean {
  return env.LINE_EMULATOR || env.LINE_CHANNEL_SECRET === undefined;
}

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming every missing or malformed setting. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  return parseWith(envSchema, source);
}

type FieldName = keyof typeof envFields.shape;

/** For CLIs: parses only the named settings, with the same messages as parseEnv. */
export function parseEnvFields<K extends FieldName>(names: readonly K[], source: NodeJS.ProcessEnv = process.env): Pick<Env, K> {
  const mask = Object.fromEntries(names.map((n) => [n, true]));
  return parseWith(envFields.pick(mask as never) as unknown as z.ZodType<Pick<Env, K>>, source);
}

function parseWith<T>(schema: z.ZodType<T>, source: NodeJS.ProcessEnv): T {
  // `KEY=` in a .env file means "not set", as with most dotenv tools.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return result.data;
}
