export type { Broker, EventListener } from './types.js';
export { MemoryBroker, MemoryBus, type MemoryBrokerOptions } from './memory.js';
