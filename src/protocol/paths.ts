/**
 * The file-path policy: a path in a `file_upload` / `file_delete` must be safe wherever the event goes:
 * a POSIX or a Windows file-sync consumer (no way out of its folder, no device or stream names, no
 * aliasing by names Windows rewrites) and a page that shows it (no spoofing by bidi or line controls).
 * docs/protocol.md ("Path policy") is the table of these rules; test/protocol/paths.test.ts checks them
 * with fast-check. The first rule a path breaks is returned (for tests and logs; the wire says only
 * `invalid_message`).
 */

export const MAX_PATH_BYTES = 1024;

export type PathProblem =
  | 'empty'
  | 'too_long'
  | 'lone_surrogate'
  | 'control'
  | 'bidi'
  | 'line_separator'
  | 'backslash'
  | 'colon'
  | 'absolute'
  | 'empty_segment'
  | 'dot_segment'
  | 'trailing_dot_or_space'
  | 'reserved_name'
  | 'best_fit';

/** U+0000–U+001F, U+007F–U+009F (C0, DEL, C1). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Bidi embedding/override/isolate controls and marks: they reorder what a reader sees (`exe.pdf` shown for `fdp.exe`). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Line and paragraph separators: line breaks for JavaScript and many renderers. */
const LINE_SEP = /[\u2028\u2029]/;

/**
 * Device names Windows opens instead of a file, whatever the extension (`nul.txt`) and case:
 * CON PRN AUX NUL COM0-9 LPT0-9 (and their superscript-digit forms), CONIN$ CONOUT$ CLOCK$.
 * Spaces before the extension are dropped too (`con .txt`, `CON  .txt` open CON).
 */
const RESERVED = /^(?:con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$|clock\$) *(?:\.|$)/i;

/**
 * Look-alikes Windows' "best fit" conversion (a client using the ANSI file APIs) turns into a separator:
 * yen and won signs are `\` in the Japanese and Korean code pages, division slash, fraction slash and
 * big solidus `/`, set minus and reverse solidus operator `\`, ratio, modifier colon and triangular
 * colon `:`. The fullwidth and small forms (`＼`, `．`, `：`, `／`, `﹨`) are caught by NFKC below.
 */
const BEST_FIT = /[\u00a5\u20a9\u2215\u2216\u2044\u2236\ua789\u02d0\u29f5\u29f8]/;

/** No lone surrogate (String.prototype.isWellFormed, Node 20; not yet in TypeScript's ES2022 lib). */
export function isWellFormed(s: string): boolean {
  return (s as string & { isWellFormed(): boolean }).isWellFormed();
}

const UTF8 = new TextEncoder();

/** The first rule `p` breaks, or undefined when it is a safe relative path. */
export function pathProblem(p: string): PathProblem | undefined {
  if (p.length === 0) return 'empty';
  if (!isWellFormed(p)) return 'lone_surrogate';
  // A UTF-16 unit is at most 3 bytes of UTF-8: encode only when it could be over.
  if (p.length > MAX_PATH_BYTES || (p.length * 3 > MAX_PATH_BYTES && UTF8.encode(p).length > MAX_PATH_BYTES)) return 'too_long';
  if (CONTROL.test(p)) return 'control';
  if (BIDI.test(p)) return 'bidi';
  if (LINE_SEP.test(p)) return 'line_separator';
  // `\` is a separator on Windows: `..\..\x`, `\\server\share` (UNC) and `\x` would walk out of the folder.
  if (p.includes('\\')) return 'backslash';
  // `:` is a drive letter (`C:\…`, `C:/…`, `C:x` relative to that drive's cwd) and the NTFS stream separator (`a::$DATA`).
  if (p.includes(':')) return 'colon';
  if (p.startsWith('/')) return 'absolute';
  for (const segment of p.split('/')) {
    if (segment === '') return 'empty_segment';
    if (segment === '.' || segment === '..') return 'dot_segment';
    // Windows drops trailing dots and spaces: `a.` opens `a`, `.. ` is `..`.
    if (segment.endsWith('.') || segment.endsWith(' ')) return 'trailing_dot_or_space';
    if (RESERVED.test(segment)) return 'reserved_name';
  }
  if (BEST_FIT.test(p)) return 'best_fit';
  // `..＼..＼x`, `．．/x`, `C：＼x`, `CON．txt`: compatibility forms that fold into a refused path.
  const folded = p.normalize('NFKC');
  if (folded !== p && pathProblem(folded) !== undefined) return 'best_fit';
  return undefined;
}

export function isSafeRelativePath(p: string): boolean {
  return pathProblem(p) === undefined;
}
