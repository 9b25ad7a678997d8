/**
 * The fan-out fix under evaluation, applied from the outside for the `wsguard-buf` system only:
 * Connection.sendRaw turns the (shared) event string into a Buffer once and hands ws that Buffer
 * as a text frame, instead of ws UTF-8-encoding the same string again for every subscriber.
 */
import { GuardConnection } from '../../src/server/connection.js';

export function useBufferFrames(): void {
  const original = GuardConnection.prototype.sendRaw;
  let lastText: string | undefined;
  let lastBuf = Buffer.alloc(0);
  GuardConnection.prototype.sendRaw = function sendRaw(this: GuardConnection, serialized: string): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    // Same string object for every subscriber of one event: the comparison is a pointer check.
    if (serialized !== lastText) {
      lastText = serialized;
      lastBuf = Buffer.from(serialized);
    }
    const hwm = this['core'].options.sendHighWaterMark;
    if (this.ws.bufferedAmount + lastBuf.length > hwm) return original.call(this, serialized);
    this.ws.send(lastBuf, { binary: false });
    this.lastActivity = Date.now();
    return true;
  };
}
