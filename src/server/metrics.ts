/** Prometheus metrics on a per-guard registry (never the global one: tests create many guards). */
import { Counter, Gauge, Registry } from 'prom-client';
import { LocalHistogram } from './local-histogram.js';

export interface GuardMetrics {
  readonly registry: Registry;
  readonly connections: Gauge;
  readonly handshakes: Counter<'outcome'>;
  readonly messages: Counter<'type'>;
  readonly violations: Counter<'reason'>;
  readonly security: Counter<'kind'>;
  readonly handlerSeconds: LocalHistogram;
  /** Messages that waited because their connection had maxPipelined publishes in flight. */
  readonly pipelineFull: Counter;
  /** messages.inc({ type }), added up locally until the metric is read (the hot path: once per message). */
  countMessage(type: string): void;
  /** handshakes.inc({ outcome }), the same way (once per handshake). */
  countHandshake(outcome: string): void;
  /** handlerSeconds.observe(type, seconds): the hot path, once per handled message. */
  observeHandler(type: string, seconds: number): void;
}

export function createMetrics(registry: Registry = new Registry()): GuardMetrics {
  const registers = [registry];
  const connections = new Gauge({ name: 'wsguard_connections', help: 'Open WebSocket connections.', registers });
  const handshakes = locallyCounted(registry, 'wsguard_handshakes_total', 'Handshakes by outcome (accepted or refusal reason).', 'outcome');
  const messages = locallyCounted(registry, 'wsguard_messages_total', 'Messages received by type (unknown types counted as "unknown").', 'type');
  // Label values are route types plus 'unknown'/'invalid': a bounded set.
  const handlerSeconds = new LocalHistogram('wsguard_handler_duration_seconds', 'Message handler latency.', 'type', [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registry);
  return {
    registry,
    messages: messages.counter,
    handlerSeconds,
    countMessage: messages.add,
    countHandshake: handshakes.add,
    observeHandler(type, seconds) {
      handlerSeconds.observe(type, seconds);
    },
    connections,
    handshakes: handshakes.counter,
    pipelineFull: new Counter({ name: 'wsguard_pipeline_full_total', help: 'Messages that waited because their connection had maxPipelined pipelined messages (publishes) in flight.', registers }),
    violations: new Counter({ name: 'wsguard_violations_total', help: 'Protocol and policy violations by reason.', labelNames: ['reason'], registers }),
    security: new Counter({ name: 'wsguard_security_events_total', help: 'Security events by kind.', labelNames: ['kind'], registers }),
  };
}

/**
 * A one-label counter added up in a plain map and handed to prom-client when the metric is read:
 * prom-client's inc() hashes and validates the labels on every call (a labelled child too), which
 * showed in the per-message and per-handshake profiles.
 */
function locallyCounted<L extends string>(registry: Registry, name: string, help: string, label: L): { counter: Counter<L>; add(value: string): void } {
  const pending = new Map<string, number>();
  const counter = new Counter({
    name, help, labelNames: [label] as const, registers: [registry],
    collect() {
      for (const [value, n] of pending) if (n > 0) this.inc({ [label]: value } as Partial<Record<L, string>>, n);
      pending.clear();
    },
  });
  return { counter, add: (value) => { pending.set(value, (pending.get(value) ?? 0) + 1); } };
}
