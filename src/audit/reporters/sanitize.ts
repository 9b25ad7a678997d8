/**
 * Target-derived text on its way to a human (terminal, progress line, error line, HTML page).
 * Everything a target sends is attacker-controlled: an ESC sequence can clear the screen, hide
 * findings or retitle the terminal (CWE-150), and bidi or invisible format characters can make
 * one value read as another. So control characters (C0 except newline and tab, DEL, C1), every
 * Unicode format character (bidi embeddings/isolates/marks, zero-width characters, BOM, tags),
 * line/paragraph separators, private-use, unassigned code points and lone surrogates are shown
 * escaped (`\x1b`, `\u202e`, `\u{e0001}`), and very long values are cut with a marker.
 * Machine formats (JSON, SARIF, JUnit) keep exact values and only stay valid for their syntax.
 */

/** Default longest value shown to a human (UTF-16 units). */
export const DISPLAY_MAX = 4000;

// \p{Cc} control, \p{Cf} format (bidi, zero-width, BOM, tags), \p{Zl}/\p{Zp} separators,
// \p{Co} private use, \p{Cn} unassigned, \p{Cs} lone surrogates (only unpaired ones match in `u` mode).
export const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/gu;

function escapeCodePoint(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

export interface DisplayOptions {
  /** Longest value kept (default DISPLAY_MAX); the rest is replaced by a marker. */
  max?: number;
  /** Keep line breaks (multi-line evidence); otherwise `\n` is escaped too (one-line fields). */
  multiline?: boolean;
}

/** The value as safe, visible text for a terminal or a page. */
export function displaySafe(value: unknown, opts: DisplayOptions = {}): string {
  let s = typeof value === 'string' ? value : String(value);
  const max = opts.max ?? DISPLAY_MAX;
  let cut = '';
  if (s.length > max) {
    // Never split a surrogate pair at the cut.
    let end = max;
    const last = s.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    cut = ` …[cut: ${s.length - end} more characters]`;
    s = s.slice(0, end);
  }
  const out = s.replace(UNSAFE, (ch) => (ch === '\t' || (opts.multiline && ch === '\n') ? ch : escapeCodePoint(ch)));
  return out + cut;
}

/** True when `s` has nothing displaySafe would escape (tests and assertions). */
export function isDisplaySafe(s: string, multiline = true): boolean {
  UNSAFE.lastIndex = 0;
  for (const m of s.matchAll(UNSAFE)) if (!(m[0] === '\t' || (multiline && m[0] === '\n'))) return false;
  return true;
}

/**
 * JSON text (JSON, SARIF) that is also safe on a terminal, with the same values: the characters
 * displaySafe escapes are written as `\uXXXX` escapes, which a JSON parser turns back into exactly
 * the same string (JSON.stringify already does this for C0 controls, not for DEL, C1 or bidi).
 * They can only occur inside JSON strings, so nothing structural is touched.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(UNSAFE, (ch) => {
    if (ch === '\n' || ch === '\t' || ch === '\r') return ch; // JSON's own whitespace between tokens
    let out = '';
    for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}
