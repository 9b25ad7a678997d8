import { UNSAFE } from './sanitize.js';

/**
 * XML/HTML text and attribute escaping. XML 1.0 cannot carry most C0 controls, U+FFFE/U+FFFF
 * or lone surrogates even as character references, so those are written as visible escapes
 * (`\x1b`, `\udc00`): the report stays well-formed and the reader still sees what was sent.
 * The other characters a terminal must not get raw (DEL, C1, bidi, invisible) become character
 * references: a parser reads back the exact value, and the file is safe to print.
 */
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function escapeXml(s: string): string {
  return s.replace(XML_FORBIDDEN, (ch) => {
    const cp = ch.charCodeAt(0);
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  })
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
    .replace(UNSAFE, (ch) => (ch === '\n' || ch === '\t' || ch === '\r' ? ch : `&#x${(ch.codePointAt(0) ?? 0).toString(16)};`));
}
