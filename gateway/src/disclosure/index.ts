export { draft, type RequestFacts } from './build.js';
export { FileDisclosureStore } from './file-store.js';
export { GroupCommitter, LogUnavailableError } from './group-commit.js';
export { openDisclosureLog, openHotStore } from './open.js';
export type { ChildDisclosure, DisclosureRecord, RecordDraft } from './record.js';
export { RedisDisclosureStore } from './redis-store.js';
export type { DisclosureStore, IntegrityResult, RecordFilter } from './store.js';
