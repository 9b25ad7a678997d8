/**
 * The naive baselines' replay source: the same SQLite rows the hub replays (src/store/sqlite.ts
 * schema), read in one ordered pass, each mapped to the hub's event payload shape.
 */
import Database from 'better-sqlite3';

export interface ReplayRow {
  channel: string;
  seq: number;
  kind: string;
  path: string;
  size: number | null;
  mime: string | null;
  sha256: string | null;
  by: string;
  at: string;
}

export function openReplayRows(file: string, channel: string): { rows(): IterableIterator<ReplayRow>; close(): void } {
  const db = new Database(file, { readonly: true });
  const stmt = db.prepare<[string], ReplayRow>(
    'SELECT channel, seq, kind, path, size, mime, sha256, sub AS by, at FROM events WHERE channel = ? ORDER BY seq',
  );
  return { rows: () => stmt.iterate(channel), close: () => db.close() };
}
