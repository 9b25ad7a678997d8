/**
 * Where a JSON.parse failure is, as a line and a column, for a one-line config-file error. V8 puts
 * "at position N" into most of its JSON messages but not into "Unexpected token 'X', ..." (a stray
 * `}` or a bare word), so that one is located by re-parsing: the text before the error is a valid
 * start of a document, so the first prefix ending in X that fails with the same message ends at X.
 */

export interface JsonErrorLocation {
  readonly line: number;
  readonly column: number;
  /** V8's reason without the quoted source it repeats (which may span lines). */
  readonly reason: string;
}

/** Config files are small; past this the unexpected-token search is skipped (the end is reported). */
const MAX_SEARCH = 64 * 1024;

function position(text: string, message: string): number {
  const at = / at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  const token = /^Unexpected token '(.)'/su.exec(message);
  if (token && text.length <= MAX_SEARCH) {
    const ch = token[1]!;
    const head = `Unexpected token '${ch}'`;
    for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + ch.length)) {
      try {
        JSON.parse(text.slice(0, i + ch.length));
      } catch (e) {
        if ((e as Error).message.startsWith(head)) return i;
      }
    }
  }
  return text.length; // "Unexpected end of JSON input", or not found: the end of the file
}

/** Line and column (both from 1) of the error `err` that JSON.parse(text) threw. */
export function jsonErrorLocation(text: string, err: unknown): JsonErrorLocation {
  const message = err instanceof Error ? err.message : String(err);
  const pos = Math.min(position(text, message), text.length);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - (before.lastIndexOf('\n') + 1) + 1;
  const reason = message
    .replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/su, '')
    .replace(/ in JSON at position \d+.*$/su, '')
    .replace(/\s+/g, ' ');
  return { line, column, reason };
}
