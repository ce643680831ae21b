/**
 * Settings, parsed once from the environment by the composition root (src/main.ts and the
 * CLIs). A missing or malformed setting stops start-up with a message naming it.
 * Every setting is listed, with a comment, in .env.example.
 */
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

/** The settings without cross-field rules: CLIs pick the few they need from it. */
export const envFields = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public base URL of this service, used in links we send (exports, certificates). */
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }),
  /** Prefix for every Redis key and BullMQ queue, so environments and tests never collide. */
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
  /** Bearer token for the admin API. */
  ADMIN_TOKEN: z.string().min(16).optional(),
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
