export * from './types.js';
export { MemoryEventStore, copyEvent } from './memory.js';
export { SqliteEventStore, EventStoreOpenError, type SqliteEventStoreOptions, type SqliteSynchronous } from './sqlite.js';
