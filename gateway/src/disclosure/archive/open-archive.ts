import type { DisclosureArchive } from './archive.js';
import { PostgresArchive } from './postgres-archive.js';
import { SqliteArchive } from './sqlite-archive.js';

/** The archive `DISCLOSURE_ARCHIVE_URL` names: PostgreSQL for a `postgres://` or `postgresql://` URL, else an SQLite file at that path. */
export function openArchive(urlOrPath: string): DisclosureArchive {
  return /^postgres(ql)?:\/\//i.test(urlOrPath) ? new PostgresArchive(urlOrPath) : new SqliteArchive(urlOrPath);
}
