/**
 * First step of `npm run demo`: makes a fresh clone runnable. Creates .env from
 * .env.example with new random keys if there is none, creates and migrates the database,
 * and loads the reference and demo data. Safe to run again.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createDevelopmentDccSigner, generateDevelopmentShcKey } from '../src/certificates/index.js';
import { ConfigError, parseEnv } from '../src/config/env.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { seedFromSettings } from '../prisma/seed.js';

async function main(): Promise<void> {
  if (!existsSync('.env')) {
    // Emulator mode with fixed local credentials, so `npm run line:send` can sign events.
    const example = readFileSync('.env.example', 'utf8')
      .replace(/^ID_HASH_KEY=$/m, `ID_HASH_KEY=${randomBytes(32).toString('hex')}`)
      .replace(/^ID_ENCRYPTION_KEY=$/m, `ID_ENCRYPTION_KEY=${randomBytes(32).toString('hex')}`)
      .replace(/^LINE_CHANNEL_SECRET=$/m, `LINE_CHANNEL_SECRET=${randomBytes(16).toString('hex')}`)
      .replace(/^LINE_CHANNEL_ACCESS_TOKEN=$/m, `LINE_CHANNEL_ACCESS_TOKEN=emulator-${randomBytes(16).toString('hex')}`)
      .replace(/^LINE_EMULATOR=false$/m, 'LINE_EMULATOR=true');
    writeFileSync('.env', example, { mode: 0o600 });
    console.log('created .env: fresh random keys, built-in LINE emulator');
  }
  await addCertificateKeys('.env');
  process.loadEnvFile('.env');
  const env = parseEnv();
  const { applied } = await migrateDatabase({ databaseUrl: env.DATABASE_URL });
  console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
  await seedFromSettings(env);
}

/**
 * Certificate keys for the demo, written once so the certificates it issues still verify after
 * a restart (without them the service makes new keys at every start). One-line values: the SHC
 * key as a JSON array of JWKs, the DCC signer as PEM with literal \n (env.ts reads both).
 */
async function addCertificateKeys(path: string): Promise<void> {
  let text = readFileSync(path, 'utf8');
  const unset = (name: string) => !new RegExp(`^${name}=.+$`, 'm').test(text);
  const set = (name: string, value: string) => {
    text = new RegExp(`^${name}=$`, 'm').test(text) ? text.replace(new RegExp(`^${name}=$`, 'm'), () => `${name}=${value}`) : `${text.replace(/\n?$/, '\n')}${name}=${value}\n`;
  };
  const added: string[] = [];
  if (unset('SHC_SIGNING_KEYS')) {
    set('SHC_SIGNING_KEYS', JSON.stringify([(await generateDevelopmentShcKey()).privateJwk]));
    added.push('SMART Health Card key');
  }
  if (unset('DCC_SIGNER_CERT') && unset('DCC_SIGNER_KEY')) {
    const signer = createDevelopmentDccSigner({ commonName: 'Mor Prom DEMO DSC' });
    set('DCC_SIGNER_CERT', signer.certificatePem.trim().replace(/\n/g, '\\n'));
    set('DCC_SIGNER_KEY', signer.privateKeyPem.trim().replace(/\n/g, '\\n'));
    added.push('EU DCC development signer');
  }
  if (added.length > 0) {
    writeFileSync(path, text, { mode: 0o600 });
    console.log(`added to .env: ${added.join(', ')} (demo keys, not for production)`);
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? `${err.message}\nFix .env (see .env.example).` : `demo preparation failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
