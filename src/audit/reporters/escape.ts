/**
 * XML/HTML text and attribute escaping. XML 1.0 cannot carry most C0 controls, U+FFFE/U+FFFF
 * or lone surrogates even as character references, so those are written as visible escapes
 * (`\x1b`, `\udc00`): the report stays well-formed and the reader still sees what was sent.
 */
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function escapeXml(s: string): string {
  return s.replace(XML_FORBIDDEN, (ch) => {
    const cp = ch.charCodeAt(0);
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  })
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
