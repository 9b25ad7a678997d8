/**
 * The results table (markdown, printed and saved): per system the median of the repeats with its
 * min–max, the wsguard/ws and wsguard/Socket.IO ratios of medians with their spread, and the
 * issue's targets, judged on the medians.
 */
import type { Scenario } from '../scenarios/types.js';
import { find, ratio, type Ratio, type Summary } from './summary.js';
import type { ScenarioId, SystemId } from './types.js';

interface Target {
  readonly scenario: ScenarioId;
  readonly subject: SystemId;
  /** Defaults to the scenario's primary metric. */
  readonly metric?: string;
  /** Which Socket.IO variant the `vsSio` ratio is taken against (default plain `socket.io`). */
  readonly sio?: SystemId;
  readonly text: string;
  readonly met: (vsWs: number, vsSio: number, rows: readonly Summary[]) => boolean;
}

/** The targets of issue 14 (quick profile, medians). */
const TARGETS: readonly Target[] = [
  { scenario: 'idle', subject: 'wsguard', text: '≤ 1.2× ws; ≤ 0.5× socket.io', met: (w, s) => w <= 1.2 && s <= 0.5 },
  { scenario: 'handshake', subject: 'wsguard', text: '≥ 0.8× ws', met: (w) => w >= 0.8 },
  { scenario: 'handshake', subject: 'wsguard-ticket', text: '≥ 0.6× ws', met: (w) => w >= 0.6 },
  { scenario: 'inbound', subject: 'wsguard', text: '≥ 0.9× ws', met: (w) => w >= 0.9 },
  { scenario: 'fanout', subject: 'wsguard', text: '≥ 1.5× ws naive loop', met: (w) => w >= 1.5 },
  { scenario: 'fanout', subject: 'wsguard', metric: 'p99_ms', text: '≤ ws', met: (w) => w <= 1 },
  { scenario: 'replay', subject: 'wsguard', text: '≥ 1.5× ws', met: (w) => w >= 1.5 },
  {
    scenario: 'cluster',
    subject: 'wsguard',
    text: '≥ 1.5× socket.io (redis adapter); 0 lost',
    met: (_w, s, rows) => s >= 1.5 && (find(rows, 'cluster', 'wsguard', 'lost_deliveries')?.max ?? Number.NaN) === 0,
  },
];

/** Secondary metrics shown as their own rows. */
const EXTRA_METRICS: Partial<Record<ScenarioId, string[]>> = {
  idle: ['heap_bytes_per_conn'],
  handshake: ['cpu_us_per_conn'],
  inbound: ['cpu_us_per_msg'],
  fanout: ['cpu_us_per_delivery', 'p50_ms', 'p99_ms', 'burst_deliveries_per_s', 'burst_cpu_us_per_delivery'],
  replay: ['cpu_us_per_event'],
  cluster: ['cpu_us_per_delivery', 'p50_ms', 'p99_ms', 'redis_cpu_us_per_event', 'lost_deliveries', 'duplicate_deliveries'],
};

export function formatValue(metric: string, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if ((metric.endsWith('_ms') || metric.includes('cpu_us')) && Math.abs(v) < 100) return v.toFixed(2);
  return Math.round(v).toLocaleString('en-US');
}

/** `median (min–max)`, or just the value when there was one sample or they all agree. */
export function formatCell(metric: string, s: Summary | undefined): string {
  if (!s) return '–';
  const v = formatValue(metric, s.value);
  if (s.samples.length < 2) return v;
  const lo = formatValue(metric, s.min);
  const hi = formatValue(metric, s.max);
  return lo === hi ? v : `${v} (${lo}–${hi})`;
}

function formatRatio(r: Ratio | undefined): string {
  if (!r) return '–';
  const v = r.value.toFixed(2);
  const lo = r.low.toFixed(2);
  const hi = r.high.toFixed(2);
  return lo === hi ? v : `${v} (${lo}–${hi})`;
}

const isBaseline = (s: SystemId) => s === 'ws' || s.startsWith('socket.io') || s === 'floor';

/** Rows per subject: wsguard's variants, and the floor's own row (floor/ws: the machine's ceiling for the scenario). */
const isSubject = (s: SystemId) => !isBaseline(s) || s === 'floor';

export function tableRows(scenarios: readonly Scenario[], rows: readonly Summary[]): string[][] {
  const out: string[][] = [];
  for (const sc of scenarios) {
    const subjects = sc.systems.filter(isSubject);
    // One row per Socket.IO variant the scenario ran (the cluster scenario has two adapters).
    const sios = sc.systems.filter((s) => s.startsWith('socket.io'));
    const sioColumns: (SystemId | undefined)[] = sios.length > 0 ? sios : [undefined];
    for (const metric of [sc.metric, ...(EXTRA_METRICS[sc.id] ?? [])]) {
      for (const subject of subjects) {
        for (const sio of sioColumns) {
          const mine = find(rows, sc.id, subject, metric);
          if (mine === undefined && subject !== 'wsguard') continue;
          const ws = find(rows, sc.id, 'ws', metric);
          const other = sio === undefined ? undefined : find(rows, sc.id, sio, metric);
          const floor = subject === 'floor' ? undefined : find(rows, sc.id, 'floor', metric);
          if (mine === undefined && ws === undefined && other === undefined) continue;
          const vsWs = ratio(mine, ws);
          const vsSio = ratio(mine, other);
          const target = TARGETS.find((t) => t.scenario === sc.id && t.subject === subject && (t.metric ?? sc.metric) === metric && (t.sio ?? 'socket.io') === (sio ?? 'socket.io'));
          let verdict = '';
          if (target) {
            const needsWs = sc.systems.includes('ws');
            const ok = (!needsWs || vsWs !== undefined) && (needsWs || vsSio !== undefined);
            verdict = ok ? (target.met(vsWs?.value ?? Number.NaN, vsSio?.value ?? Number.NaN, rows) ? 'met' : 'MISSED') : 'n/a';
          }
          const labels = [subject === 'wsguard' ? sc.id : `${sc.id} (${subject})`, sio && sio !== 'socket.io' ? ` vs ${sio}` : ''];
          out.push([
            labels.join(''),
            metric,
            formatCell(metric, mine),
            formatCell(metric, ws),
            formatCell(metric, other),
            formatRatio(vsWs),
            formatRatio(vsSio),
            formatCell(metric, floor),
            formatRatio(ratio(mine, floor)),
            target ? `${target.text}: ${verdict}` : '',
          ]);
        }
      }
    }
  }
  return out;
}

/** `floor` and `wsguard/floor`: the fanout scenario's bare node:net server ('–' elsewhere). */
const HEADER = ['scenario', 'metric', 'wsguard', 'ws', 'socket.io', 'wsguard/ws', 'wsguard/socket.io', 'floor', 'wsguard/floor', 'target'];
const LAST_NUMERIC = HEADER.length - 2;

/** A markdown table, padded so it also reads well on a terminal. */
export function markdownTable(rows: string[][]): string {
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i >= 2 && i <= LAST_NUMERIC ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i >= 2 && i <= LAST_NUMERIC ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(HEADER), rule, ...rows.map(line)].join('\n');
}
