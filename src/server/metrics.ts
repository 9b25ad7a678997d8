/** Prometheus metrics on a per-guard registry (never the global one: tests create many guards). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface GuardMetrics {
  readonly registry: Registry;
  readonly connections: Gauge;
  readonly handshakes: Counter<'outcome'>;
  readonly messages: Counter<'type'>;
  readonly violations: Counter<'reason'>;
  readonly security: Counter<'kind'>;
  readonly handlerSeconds: Histogram<'type'>;
}

export function createMetrics(registry: Registry = new Registry()): GuardMetrics {
  const registers = [registry];
  return {
    registry,
    connections: new Gauge({ name: 'wsguard_connections', help: 'Open WebSocket connections.', registers }),
    handshakes: new Counter({ name: 'wsguard_handshakes_total', help: 'Handshakes by outcome (accepted or refusal reason).', labelNames: ['outcome'], registers }),
    messages: new Counter({ name: 'wsguard_messages_total', help: 'Messages received by type (unknown types counted as "unknown").', labelNames: ['type'], registers }),
    violations: new Counter({ name: 'wsguard_violations_total', help: 'Protocol and policy violations by reason.', labelNames: ['reason'], registers }),
    security: new Counter({ name: 'wsguard_security_events_total', help: 'Security events by kind.', labelNames: ['kind'], registers }),
    handlerSeconds: new Histogram({
      name: 'wsguard_handler_duration_seconds',
      help: 'Message handler latency.',
      labelNames: ['type'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
  };
}
