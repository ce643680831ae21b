/**
 * npm run registry:demo-csv [-- <count> <output.csv>]
 *
 * Writes the synthetic demo register (default: 300 people to prisma/data/demo-register.csv),
 * in the format `npm run registry:import` reads. Deterministic, so the file can be committed
 * and regenerated without a diff. Larger counts serve load tests (e.g. 100000 tmp/big.csv).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { generateDemoPeople } from '../prisma/data/demo-people.js';

const DEFAULT_OUTPUT = fileURLToPath(new URL('../prisma/data/demo-register.csv', import.meta.url));

const [countArg, outputArg] = process.argv.slice(2);
const count = countArg === undefined ? 300 : Number(countArg);
if (!Number.isInteger(count) || count < 1) {
  console.error('usage: npm run registry:demo-csv -- [count] [output.csv]');
  process.exit(1);
}
const output = outputArg ?? DEFAULT_OUTPUT;

const out = createWriteStream(output, 'utf8');
out.write('national_id,birth_date,first_name,last_name\n');
for (const p of generateDemoPeople(count)) {
  // Names are Thai letters only (no comma, quote or newline), so no CSV quoting is needed.
  if (!out.write(`${p.nationalId},${p.birthDate},${p.firstName},${p.lastName}\n`)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
console.log(`${output}: ${count} people`);
