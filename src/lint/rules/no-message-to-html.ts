/** WebSocket message data written into the DOM as HTML (stored/reflected XSS through the socket). */
import type * as ESTree from 'estree';
import { calleeName, facts, kindOf, mentions, patternNames, path, propName, reportOnce, rootName, taint, unwrap, walk, type Facts, type Listener, type Node } from '../ast.js';
import { DOCS_BASE, type WsgRule } from '../types.js';

const HTML_PROPS = new Set(['innerHTML', 'outerHTML']);
/** jQuery methods that parse a string argument as HTML. */
const JQ_INSERT = new Set(['append', 'prepend', 'before', 'after', 'replaceWith', 'wrap', 'wrapAll', 'wrapInner']);
/** A jQuery receiver: `$(…)`, `jQuery(…)`, or a name / property starting with `$` (`$log`, `this.$el`). */
const JQUERY = /(^|\.)(\$|jQuery\()/;
const SANITIZER = /sanitiz|escape|purify|encode|textContent/i;
/** `message` events on these are postMessage, not WebSocket. */
const NOT_A_SOCKET = new Set(['window', 'self', 'globalThis', 'parent', 'top', 'port', 'worker', 'channel', 'document']);

export const rule: WsgRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Data from a WebSocket message written to `innerHTML`, `outerHTML`, `insertAdjacentHTML`, `document.write` or jQuery `.html()`/`.append()`/… runs any markup another client (or a compromised server) sends: cross-site scripting through the socket.',
      recommended: true,
      url: `${DOCS_BASE}no-message-to-html.md`,
      severity: 'high',
      checks: ['WSG-INPUT-01'],
      cwe: 'CWE-79',
      fix: 'Render message data as text (`textContent`, `createTextNode`, a framework\'s escaped interpolation); if a field really is HTML, sanitise it with DOMPurify first.',
      details: 'In WebSocket message listeners (`ws.onmessage = …`, `ws.addEventListener(\'message\', …)` except on `window`/`self`/ports, `.on(\'message\', …)`, and event listeners of a `socket.io-client` socket), follows names derived from the listener\'s parameters and reports them (or strings built from them) assigned to `innerHTML`/`outerHTML` (`=` or `+=`), passed to `insertAdjacentHTML`, `document.write`/`writeln`, `.html(…)`, jQuery\'s `.append/.prepend/.before/.after/.replaceWith/.wrap…(…)` on a jQuery receiver (`$(…)`, `jQuery(…)`, or a name starting with `$` such as `$log` or `this.$el`; the DOM\'s own `append` inserts text and is not reported), or `$(…)` of an HTML string built from them (`$(\'<li>\' + msg.text + \'</li>\')`). A value that went through a call named like a sanitiser (`sanitize`, `escape`, `DOMPurify.sanitize`, `encode…`) is not reported.',
      falsePositives: [
        'A message field that the server guarantees to be sanitised HTML is reported: sanitise on the client too, or disable the line and say where it is sanitised.',
      ],
      limits: [
        'A jQuery object stored under a name that does not start with `$` (`const log = $(\'#log\'); log.append(…)`) is not recognised as one.',
        'Framework sinks (`dangerouslySetInnerHTML`, `v-html`, `[innerHTML]`) and data stored first and rendered elsewhere are not followed.',
      ],
      example: {
        bad: "ws.onmessage = (event) => {\n  const msg = JSON.parse(event.data);\n  log.innerHTML += `<li>${msg.text}</li>`;\n};",
        good: "ws.onmessage = (event) => {\n  const msg = JSON.parse(event.data);\n  const li = document.createElement('li');\n  li.textContent = msg.text;\n  log.append(li);\n};",
      },
    },
    schema: [],
    messages: {
      html: 'WebSocket message data written as HTML ({{sink}}): render it as text (textContent) or sanitise it (DOMPurify) first.',
    },
  },
  create(context) {
    const report = reportOnce(context);
    const stop = (n: Node) => (n.type === 'CallExpression' || n.type === 'NewExpression') && SANITIZER.test(calleeName((n as ESTree.CallExpression).callee as Node) ?? '');
    return {
      'Program:exit'() {
        const f = facts(context);
        for (const l of messageListeners(f)) {
          const seeds = new Set<string>();
          for (const p of l.fn.params) patternNames(p as Node, seeds);
          const tainted = taint(l.fn as Node, seeds, f.keys, stop);
          const bad = (n: Node | undefined | null) => !!n && mentions(n, tainted, f.keys, stop);
          walk(l.fn.body as Node, f.keys, (n) => {
            if (n.type === 'AssignmentExpression') {
              const a = n as ESTree.AssignmentExpression;
              const prop = propName(a.left as Node);
              if (prop && HTML_PROPS.has(prop) && bad(a.right as Node)) report({ node: a, messageId: 'html', data: { sink: prop } });
            }
            if (n.type === 'CallExpression') {
              const c = n as ESTree.CallExpression;
              const name = calleeName(c.callee as Node) ?? '';
              const p = path(c.callee as Node) ?? '';
              if (name === 'insertAdjacentHTML' && bad(c.arguments[1] as Node | undefined)) report({ node: c, messageId: 'html', data: { sink: name } });
              else if ((p === 'document.write' || p === 'document.writeln') && c.arguments.some((a) => bad(a as Node))) report({ node: c, messageId: 'html', data: { sink: p } });
              else if (name === 'html' && c.callee.type === 'MemberExpression' && bad(c.arguments[0] as Node | undefined)) report({ node: c, messageId: 'html', data: { sink: '.html()' } });
              // jQuery parses strings given to these as HTML (the DOM's own append/before/… insert text: not reported).
              else if (JQ_INSERT.has(name) && c.callee.type === 'MemberExpression' && JQUERY.test(path(c.callee.object as Node) ?? '') && c.arguments.some((a) => !isElement(a as Node) && bad(a as Node))) report({ node: c, messageId: 'html', data: { sink: `.${name}()` } });
              // $('<li>' + msg.text + '</li>'): an HTML string built from the message
              else if ((p === '$' || p === 'jQuery') && htmlString(c.arguments[0] as Node | undefined) && bad(c.arguments[0] as Node)) report({ node: c, messageId: 'html', data: { sink: `${p}()` } });
            }
            return undefined;
          });
        }
      },
    };
  },
};

/** An element built by jQuery or the DOM (`$('<li>').text(m)`, `document.createElement('li')`): inserted as a node, not parsed. */
function isElement(n: Node): boolean {
  const u = unwrap(n);
  if (u?.type !== 'CallExpression') return false;
  const p = path((u as ESTree.CallExpression).callee as Node) ?? '';
  return JQUERY.test(p) || p.startsWith('document.');
}

/** A template literal or `+` concatenation with a literal part that contains `<` (markup being built). */
function htmlString(n: Node | undefined): boolean {
  const u = n ?? null;
  if (!u) return false;
  if (u.type === 'TemplateLiteral') return (u as ESTree.TemplateLiteral).quasis.some((q) => (q.value.cooked ?? '').includes('<'));
  if (u.type === 'BinaryExpression' && (u as ESTree.BinaryExpression).operator === '+') {
    const b = u as ESTree.BinaryExpression;
    const lit = (x: Node) => x.type === 'Literal' && typeof (x as ESTree.Literal).value === 'string' && String((x as ESTree.Literal).value).includes('<');
    return lit(b.left as Node) || lit(b.right as Node) || htmlString(b.left as Node) || htmlString(b.right as Node);
  }
  return false;
}

function messageListeners(f: Facts): Listener[] {
  return f.listeners.filter((l) => {
    const root = rootName(l.target as Node);
    if (root && NOT_A_SOCKET.has(root)) return false;
    if (l.target.type === 'Identifier' && NOT_A_SOCKET.has(l.target.name)) return false;
    if (l.event === 'message') return true;
    // socket.io-client: socket.on('chat', (msg) => …)
    return l.call.type === 'CallExpression' && kindOf(l.target as Node, f) === 'socketio-client' && !['connect', 'disconnect', 'connect_error'].includes(l.event);
  });
}
