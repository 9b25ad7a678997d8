/** Stage 'handshake-rate': per-IP token bucket on handshakes (429 with Retry-After). */
import { KeyedBuckets } from '../token-bucket.js';
import { refuse, type GateStage } from './types.js';

export function handshakeRateStage(rate: { perSec: number; burst: number }): GateStage {
  const buckets = new KeyedBuckets(rate.perSec, rate.burst);
  return {
    name: 'handshake-rate',
    run: ({ ip }) => (buckets.take(ip) ? undefined : refuse(429, 'handshake_rate', { 'Retry-After': String(Math.ceil(1 / rate.perSec)) })),
  };
}
