import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { educationEvents } from '@macpt/education/events';
import { familyHelpEvents } from '@macpt/family-help/events';
import { healthEvents } from '@macpt/health/events';
import { isNhsNumber } from '@macpt/kit';
import { policeEvents } from '@macpt/police/events';
import { socialCareEvents } from '@macpt/social-care/events';
import { migrateOutbox, SqlStore, type AgencyEvent } from '@macpt/subgraph-kit';
import { REPO_ROOT } from '../stack.js';

// `npm run -s event -- <agency> <kind> <nhsNumber> [--occurred-at ISO]`: records a change in an agency's store
// the way its own system would, with its event in the same transaction; the agency's relay delivers it.
// `--occurred-at` records something that happened earlier (entered late). Prints the event id.
const KINDS: Record<string, Record<string, AgencyEvent>> = {
  'social-care': socialCareEvents,
  health: healthEvents,
  police: policeEvents,
  education: educationEvents,
  'family-help': familyHelpEvents,
};
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    list: { type: 'boolean', default: false },
    'occurred-at': { type: 'string' },
    'data-dir': { type: 'string', default: process.env.DATA_DIR ?? join(REPO_ROOT, 'data') },
  },
});
if (values.list) {
  for (const [agency, kinds] of Object.entries(KINDS)) console.log(`${agency}: ${Object.keys(kinds).join(', ')}`);
  process.exit(0);
}
const [agency, kind, nhsNumber] = positionals;
const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};
if (!agency || !kind || !nhsNumber) fail('usage: npm run -s event -- <agency> <kind> <nhsNumber>   (kinds: --list)');
const make = KINDS[agency!]?.[kind!];
if (!KINDS[agency!]) fail(`unknown agency "${agency}": one of ${Object.keys(KINDS).join(', ')}`);
if (!make) fail(`${agency} records no event "${kind}": one of ${Object.keys(KINDS[agency!]!).join(', ')}`);
if (!isNhsNumber(nhsNumber!)) fail(`"${nhsNumber}" is not a valid NHS number`);
const at = values['occurred-at'] ?? new Date().toISOString();
if (!/^\d{4}-\d{2}-\d{2}T/.test(at) || Number.isNaN(Date.parse(at)) || Date.parse(at) > Date.now())
  fail(`--occurred-at "${at}" is not a date and time in ISO 8601 (like 2026-11-30T09:00:00Z) up to now`);
const file = join(values['data-dir'], `${agency}.db`);
if (!existsSync(file)) fail(`no ${agency} store at ${file}: start the system first (npm start)`);
const store = new SqlStore(file);
store.db.pragma('busy_timeout = 5000');
migrateOutbox(store);
try {
  console.log(make!(store, nhsNumber!, new Date(at).toISOString()));
} catch (error) {
  fail((error as Error).message);
} finally {
  store.close?.();
}
