/**
 * Fan-out of committed events to every node's local subscribers.
 * Implementations: memory (single node, default), redis (cluster).
 * A broker may deliver late, twice or out of order under failure; the hub orders by seq and
 * fills gaps from the store, so a broker never has to be perfect, only fast.
 */
import type { FileEvent } from '../protocol/index.js';

export type EventListener = (event: FileEvent) => void;

export interface Broker {
  /** Sends a committed event to every node. Resolves once handed to the transport. */
  publish(event: FileEvent): Promise<void>;
  /**
   * Listens to one channel. The broker holds one upstream subscription per channel however many
   * listeners there are, and drops it when the last listener goes. Returns the unsubscribe function.
   */
  subscribe(channel: string, listener: EventListener): () => void;
  /** Called after the broker lost and regained its transport: listeners may have missed events. */
  onReconnect(listener: () => void): void;
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
