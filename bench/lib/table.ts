/** The results table (markdown, printed and saved): values, wsguard/ws and wsguard/Socket.IO ratios, targets. */
import type { Scenario } from '../scenarios/types.js';
import type { Run, ScenarioId, SystemId } from './types.js';

interface Target {
  readonly text: string;
  readonly met: (vsWs: number, vsSio: number) => boolean;
}

/** The issue's targets, on the primary metric of the plain `wsguard` system. */
const TARGETS: Partial<Record<ScenarioId, Target>> = {
  inbound: { text: '≥ 0.8× ws; socket.io ≤ wsguard', met: (w, s) => w >= 0.8 && s >= 1 },
  fanout: { text: '≥ 1× ws naive loop', met: (w) => w >= 1 },
  idle: { text: '≤ 1.5× ws; ≤ 0.6× socket.io', met: (w, s) => w <= 1.5 && s <= 0.6 },
  handshake: { text: '≥ 0.7× ws', met: (w) => w >= 0.7 },
};

/** Secondary metrics shown as their own rows. */
const EXTRA_METRICS: Partial<Record<ScenarioId, string[]>> = {
  idle: ['heap_bytes_per_conn'],
  handshake: ['cpu_us_per_conn'],
  inbound: ['cpu_us_per_msg'],
  fanout: ['cpu_us_per_delivery', 'p50_ms', 'p99_ms'],
  replay: ['cpu_us_per_event'],
};

export function formatValue(metric: string, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if ((metric.endsWith('_ms') || metric.startsWith('cpu_us')) && v < 100) return v.toFixed(2);
  return Math.round(v).toLocaleString('en-US');
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

export function tableRows(scenarios: readonly Scenario[], runs: readonly Run[]): string[][] {
  const value = (scenario: ScenarioId, system: SystemId, metric: string) => runs.find((r) => r.scenario === scenario && r.system === system && r.metric === metric)?.value;
  const rows: string[][] = [];
  for (const sc of scenarios) {
    const subjects = sc.systems.filter((s) => s !== 'ws' && s !== 'socket.io');
    for (const metric of [sc.metric, ...(EXTRA_METRICS[sc.id] ?? [])]) {
      for (const subject of subjects) {
        const mine = value(sc.id, subject, metric);
        if (mine === undefined && subject !== 'wsguard') continue;
        const ws = value(sc.id, 'ws', metric);
        const sio = value(sc.id, 'socket.io', metric);
        const vsWs = ratio(mine, ws);
        const vsSio = ratio(mine, sio);
        const target = metric === sc.metric && subject === 'wsguard' ? TARGETS[sc.id] : undefined;
        const verdict = target && vsWs !== undefined ? (target.met(vsWs, vsSio ?? Number.NaN) ? 'met' : 'MISSED') : '';
        rows.push([
          subject === 'wsguard' ? sc.id : `${sc.id} (${subject})`,
          metric,
          formatValue(metric, mine),
          formatValue(metric, ws),
          formatValue(metric, sio),
          vsWs === undefined ? '–' : vsWs.toFixed(2),
          vsSio === undefined ? '–' : vsSio.toFixed(2),
          target ? `${target.text}: ${verdict || 'n/a'}` : '',
        ]);
      }
    }
  }
  return rows;
}

const HEADER = ['scenario', 'metric', 'wsguard', 'ws', 'socket.io', 'wsguard/ws', 'wsguard/socket.io', 'target'];

/** A markdown table, padded so it also reads well on a terminal. */
export function markdownTable(rows: string[][]): string {
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i >= 2 && i <= 6 ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(HEADER), rule, ...rows.map(line)].join('\n');
}
