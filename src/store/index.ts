export * from './types.js';
export { MemoryEventStore, copyEvent } from './memory.js';
export { SqliteEventStore, EventStoreOpenError, type SqliteEventStoreOptions, type SqliteSynchronous } from './sqlite.js';
import type { EventStore, EventStoreOptions } from './types.js';
import { MemoryEventStore } from './memory.js';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite.js';

export type EventStoreConfig =
  | ({ kind: 'memory' } & EventStoreOptions)
  | ({ kind: 'sqlite' } & SqliteEventStoreOptions);

/** Opens the embedded stores (Redis is wired by the cluster code). Throws EventStoreOpenError for a bad file. */
export function createEventStore(config: EventStoreConfig): EventStore {
  switch (config.kind) {
    case 'memory':
      return new MemoryEventStore(config);
    case 'sqlite':
      return new SqliteEventStore(config);
  }
}
