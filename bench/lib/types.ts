/** Shared shapes of the benchmark: system ids, result rows, and what a server child is asked to run. */

/**
 * The three systems every scenario compares, plus variants some scenarios add: wsguard's ticket
 * handshake, and Socket.IO's Redis Streams adapter (the cluster scenario; plain `socket.io` there
 * means `@socket.io/redis-adapter`), and `floor` (fanout: a bare `node:net` server, the transport floor).
 */
export type SystemId = 'wsguard' | 'wsguard-ticket' | 'ws' | 'socket.io' | 'socket.io-streams' | 'floor';
export const BASE_SYSTEMS: readonly SystemId[] = ['wsguard', 'ws', 'socket.io'];

export type ScenarioId = 'idle' | 'handshake' | 'inbound' | 'fanout' | 'replay' | 'cluster' | 'audit';
export const SCENARIOS: readonly ScenarioId[] = ['idle', 'handshake', 'inbound', 'fanout', 'replay', 'cluster', 'audit'];

/** One measurement (one system, one repeat); lib/summary.ts folds the repeats into median, min, max. */
export interface Run {
  readonly scenario: ScenarioId;
  readonly system: SystemId;
  readonly metric: string;
  readonly value: number;
}

/** What a server child starts (passed as JSON in argv). */
export interface ServerSpec {
  readonly system: SystemId;
  readonly scenario: ScenarioId;
  /** HS256 secret shared with the load generators, which mint their own tokens. */
  readonly secret: string;
  /** SQLite file holding the replay channel (replay scenario). */
  readonly replayDb?: string;
  /** Temp directory for the hub's own event log. */
  readonly dir: string;
  /** Per-connection message rate (wsguard), when the default would throttle the scenario. */
  readonly messageRate?: { perSec: number; burst: number };
  /** Cluster scenario: the node's Redis (through the harness's cuttable forwarder) and key prefix. */
  readonly redis?: { url: string; prefix: string };
}

/** Where load generators connect. */
export interface Target {
  readonly system: SystemId;
  readonly port: number;
  readonly secret: string;
}

export interface Profile {
  readonly full: boolean;
  readonly idleConnections: number;
  readonly handshakeMs: number;
  readonly handshakeConcurrency: number;
  readonly inboundMs: number;
  readonly inboundConnections: number;
  readonly inboundWindow: number;
  readonly fanoutSubscribers: number;
  readonly fanoutEvents: number;
  /** Cluster scenario: subscribers spread over 3 nodes, events timed one after another, then events published at a steady pace while one node's Redis link is cut. */
  readonly clusterSubscribers: number;
  readonly clusterEvents: number;
  readonly clusterLossEvents: number;
  readonly clusterLossIntervalMs: number;
  readonly clusterCutMs: number;
  readonly replayEvents: number;
  /** `wsguard audit --idle-wait` in seconds; undefined keeps the auditor's default (5 minutes). */
  readonly auditIdleWaitSec?: number;
  /** `wsguard audit --slow-wait` / `--backpressure-wait` in seconds; undefined keeps the auditor's defaults (about 90 s each). */
  readonly auditSlowWaitSec?: number;
  readonly generators: number;
  /** Times each scenario runs each system, interleaved (A B C A B C …). */
  readonly repeats: number;
}

/** Channel names every system uses. */
export const FANOUT_CHANNEL = 'files:acme';
export const REPLAY_CHANNEL = 'files:replay';
