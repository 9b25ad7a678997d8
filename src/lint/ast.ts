/**
 * Shared AST helpers for the wsguard lint rules: which names are bound to `ws` / `socket.io`,
 * what a `new …(…)` or `io(…)` constructs, option objects and their static values, listeners,
 * and a name-based taint walk. One pass per file, cached on the AST (every rule shares it).
 *
 * Heuristic by design: names, not types. Where a value cannot be seen statically (a spread, a
 * parameter, an import) the helpers answer "unknown" and the rules stay silent, because a false
 * positive costs as much trust as a miss.
 */
import type { Rule, SourceCode } from 'eslint';
import type * as ESTree from 'estree';

/** Any node, including typescript-eslint's TS* nodes the ESTree types do not list. */
export type Node = (ESTree.Node | { type: string; [key: string]: unknown }) & { parent?: Node | null };
export type Fn = (ESTree.FunctionExpression | ESTree.ArrowFunctionExpression | ESTree.FunctionDeclaration) & { parent?: Node | null };

export type Kind = 'ws-server' | 'ws-client' | 'browser-websocket' | 'socketio-server' | 'socketio-client';

export interface Binding {
  module: string;
  /** 'default', '*', a named export, or 'call' for `require('m')(…)`. */
  imported: string;
}

export interface Construct {
  node: ESTree.NewExpression | ESTree.CallExpression;
  kind: Kind;
  /** The name it is stored under (`const wss = …`, `this.wss = …`), when any. */
  name?: string;
}

export interface Listener {
  /** `x.on('ev', fn)`, or `x.onev = fn`. */
  call: ESTree.CallExpression | ESTree.AssignmentExpression;
  /** The receiver (`wss` in `wss.on(…)`, `ws` in `ws.onmessage = …`). */
  target: ESTree.Node;
  event: string;
  fn: Fn;
}

export interface Facts {
  bindings: Map<string, Binding>;
  modules: Set<string>;
  constructs: Construct[];
  /** Variable / property name → what was constructed into it. */
  named: Map<string, Kind>;
  listeners: Listener[];
  functions: Map<string, Fn>;
  keys: SourceCode.VisitorKeys;
}

const SKIP_KEYS = new Set(['parent', 'loc', 'range', 'tokens', 'comments', 'typeAnnotation', 'returnType', 'typeParameters', 'typeArguments']);

/** Depth-first walk; `enter` returning false skips the node's children. */
export function walk(node: Node, keys: SourceCode.VisitorKeys, enter: (n: Node, parent: Node | null) => boolean | void, parent: Node | null = null): void {
  if (enter(node, parent) === false) return;
  const record = node as unknown as Record<string, unknown>;
  const names = keys[node.type] ?? Object.keys(record).filter((k) => !SKIP_KEYS.has(k));
  for (const k of names) {
    if (SKIP_KEYS.has(k)) continue;
    const child = record[k];
    if (Array.isArray(child)) {
      for (const c of child) if (isNode(c)) walk(c, keys, enter, node);
    } else if (isNode(child)) walk(child, keys, enter, node);
  }
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

/** Strips TypeScript wrappers and parentheses: `(x as T)!` → `x`. */
export function unwrap(node: Node | null | undefined): Node | null {
  let n = node ?? null;
  while (n && ['TSAsExpression', 'TSNonNullExpression', 'TSSatisfiesExpression', 'TSTypeAssertion', 'ChainExpression', 'ParenthesizedExpression'].includes(n.type)) {
    n = (n as { expression: Node }).expression;
  }
  return n;
}

export function isFunction(n: Node | null | undefined): n is Fn {
  return !!n && (n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression' || n.type === 'FunctionDeclaration');
}

/** `x.name` or `x['name']` → 'name'. */
export function propName(node: Node | null | undefined): string | null {
  const n = unwrap(node);
  if (!n || n.type !== 'MemberExpression') return null;
  const m = n as ESTree.MemberExpression;
  if (!m.computed && m.property.type === 'Identifier') return m.property.name;
  if (m.property.type === 'Literal' && typeof m.property.value === 'string') return m.property.value;
  return null;
}

/** The last name of a callee: `a.b.verify` → 'verify', `verify` → 'verify'. */
export function calleeName(callee: Node | null | undefined): string | null {
  const n = unwrap(callee);
  if (!n) return null;
  if (n.type === 'Identifier') return (n as ESTree.Identifier).name;
  return propName(n);
}

/** `a.b.c` → 'a.b.c' (calls and `this` included as `()` and `this`); null for anything else. */
export function path(node: Node | null | undefined): string | null {
  const n = unwrap(node);
  if (!n) return null;
  if (n.type === 'Identifier') return (n as ESTree.Identifier).name;
  if (n.type === 'ThisExpression') return 'this';
  if (n.type === 'CallExpression') {
    const p = path((n as ESTree.CallExpression).callee as Node);
    return p === null ? null : `${p}()`;
  }
  const name = propName(n);
  if (name === null) return null;
  const obj = path((n as ESTree.MemberExpression).object as Node);
  return obj === null ? null : `${obj}.${name}`;
}

/** The identifier at the root of `a.b().c` → 'a'. */
export function rootName(node: Node | null | undefined): string | null {
  let n = unwrap(node);
  while (n && (n.type === 'MemberExpression' || n.type === 'CallExpression')) {
    n = unwrap(n.type === 'MemberExpression' ? ((n as ESTree.MemberExpression).object as Node) : ((n as ESTree.CallExpression).callee as Node));
  }
  return n && n.type === 'Identifier' ? (n as ESTree.Identifier).name : null;
}

/** The name a value is stored under: `const x = V`, `this.x = V`, `x = V`, class field `x = V`. */
export function storedName(value: Node): string | undefined {
  let n: Node = value;
  while (n.parent && unwrap(n.parent) !== n.parent) n = n.parent; // climb TS wrappers
  while (n.parent && n.parent.type === 'AwaitExpression') n = n.parent;
  const p = n.parent;
  if (!p) return undefined;
  if (p.type === 'VariableDeclarator' && (p as ESTree.VariableDeclarator).id.type === 'Identifier') return ((p as ESTree.VariableDeclarator).id as ESTree.Identifier).name;
  if (p.type === 'AssignmentExpression') {
    const left = (p as ESTree.AssignmentExpression).left as Node;
    return left.type === 'Identifier' ? (left as ESTree.Identifier).name : propName(left) ?? undefined;
  }
  if ((p.type === 'PropertyDefinition' || p.type === 'Property') && !(p as ESTree.PropertyDefinition).computed) {
    const key = (p as ESTree.PropertyDefinition).key;
    return key.type === 'Identifier' ? key.name : undefined;
  }
  return undefined;
}

function requireSource(node: Node | null): string | null {
  const n = unwrap(node);
  if (!n || n.type !== 'CallExpression') return null;
  const c = n as ESTree.CallExpression;
  const arg = c.arguments[0];
  if (c.callee.type === 'Identifier' && c.callee.name === 'require' && arg?.type === 'Literal' && typeof arg.value === 'string') return arg.value;
  return null;
}

const LISTEN_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'addEventListener']);
/** EventEmitter methods that return the emitter itself, so `ws.on(…).on(…)` chains on `ws`. */
const CHAINABLE = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners', 'setMaxListeners']);

/** The emitter behind a chain of listener calls: `ws.on('message', f).on('error', g)` → `ws`. */
export function chainRoot(node: Node | null | undefined): Node | null {
  let n = unwrap(node);
  while (n?.type === 'CallExpression') {
    const callee = unwrap((n as ESTree.CallExpression).callee as Node);
    if (callee?.type !== 'MemberExpression' || !CHAINABLE.has(propName(callee) ?? '')) break;
    n = unwrap((callee as ESTree.MemberExpression).object as Node);
  }
  return n;
}

/** Computes (once per file) the facts every rule uses. */
export function facts(context: Rule.RuleContext): Facts {
  const ast = context.sourceCode.ast as unknown as Node;
  const cached = CACHE.get(ast);
  if (cached) return cached;
  const keys = context.sourceCode.visitorKeys;
  const f: Facts = { bindings: new Map(), modules: new Set(), constructs: [], named: new Map(), listeners: [], functions: new Map(), keys };
  // Bindings first: constructs are classified from them.
  walk(ast, keys, (n) => {
    if (n.type === 'ImportDeclaration') {
      const d = n as ESTree.ImportDeclaration;
      const mod = String(d.source.value);
      f.modules.add(mod);
      for (const s of d.specifiers) {
        const imported = s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportNamespaceSpecifier' ? '*' : s.imported.type === 'Identifier' ? s.imported.name : String(s.imported.value);
        f.bindings.set(s.local.name, { module: mod, imported });
      }
    } else if (n.type === 'VariableDeclarator') {
      const d = n as ESTree.VariableDeclarator;
      const init = unwrap(d.init as Node | null);
      let mod = requireSource(init);
      let imported = '*';
      if (!mod && init?.type === 'MemberExpression') {
        mod = requireSource((init as ESTree.MemberExpression).object as Node);
        imported = propName(init) ?? '*';
      }
      if (!mod && init?.type === 'CallExpression') {
        mod = requireSource((init as ESTree.CallExpression).callee as Node);
        imported = 'call';
      }
      if (!mod) return;
      f.modules.add(mod);
      if (d.id.type === 'Identifier') f.bindings.set(d.id.name, { module: mod, imported });
      else if (d.id.type === 'ObjectPattern') {
        for (const p of d.id.properties) {
          if (p.type === 'Property' && p.key.type === 'Identifier' && p.value.type === 'Identifier') f.bindings.set(p.value.name, { module: mod, imported: p.key.name });
        }
      }
    } else if (n.type === 'FunctionDeclaration' && (n as ESTree.FunctionDeclaration).id) {
      f.functions.set((n as ESTree.FunctionDeclaration).id!.name, n as ESTree.FunctionDeclaration);
    }
  });
  walk(ast, keys, (n) => {
    if (n.type === 'VariableDeclarator') {
      const d = n as ESTree.VariableDeclarator;
      const init = unwrap(d.init as Node | null);
      if (d.id.type === 'Identifier' && isFunction(init)) f.functions.set(d.id.name, init);
    }
    if (n.type === 'MethodDefinition' || n.type === 'PropertyDefinition') {
      // Class methods (and arrow-function fields), so `this.onUpgrade(…)` can be followed.
      const m = n as ESTree.MethodDefinition;
      const value = unwrap(m.value as Node | null);
      if (!m.computed && m.key.type === 'Identifier' && isFunction(value) && !f.functions.has(m.key.name)) f.functions.set(m.key.name, value);
    }
    if (n.type === 'NewExpression' || n.type === 'CallExpression') {
      const kind = classify(n as ESTree.NewExpression | ESTree.CallExpression, f.bindings);
      if (kind) {
        const name = storedName(n);
        f.constructs.push({ node: n as ESTree.NewExpression, kind, ...(name ? { name } : {}) });
        if (name && !f.named.has(name)) f.named.set(name, kind);
      }
    }
    if (n.type === 'CallExpression') {
      const c = n as ESTree.CallExpression;
      const callee = unwrap(c.callee as Node);
      const method = propName(callee);
      const ev = c.arguments[0];
      if (method && LISTEN_METHODS.has(method) && ev?.type === 'Literal' && typeof ev.value === 'string') {
        const fn = resolveFunction(c.arguments[1] as Node | undefined, f);
        const target = chainRoot((callee as ESTree.MemberExpression).object as Node) as ESTree.Node;
        if (fn) f.listeners.push({ call: c, target, event: ev.value, fn });
      }
    }
    if (n.type === 'AssignmentExpression') {
      // ws.onmessage = (e) => …, ws.onerror = …
      const a = n as ESTree.AssignmentExpression;
      const name = propName(a.left as Node);
      const fn = resolveFunction(a.right as Node, f);
      if (name && /^on[a-z]+$/.test(name) && fn && a.left.type === 'MemberExpression') {
        f.listeners.push({ call: a, target: a.left.object as ESTree.Node, event: name.slice(2), fn });
      }
    }
  });
  CACHE.set(ast, f);
  return f;
}
const CACHE = new WeakMap<Node, Facts>();

/** A function literal, or the local function a name refers to. */
export function resolveFunction(node: Node | null | undefined, f: Pick<Facts, 'functions'>): Fn | null {
  const n = unwrap(node);
  if (isFunction(n)) return n;
  if (n?.type === 'Identifier') return f.functions.get((n as ESTree.Identifier).name) ?? null;
  return null;
}

/** What `new X(…)` / `X(…)` constructs, from the file's imports (and a few unmistakable globals). */
export function classify(node: ESTree.NewExpression | ESTree.CallExpression, b: Map<string, Binding>): Kind | null {
  const callee = unwrap(node.callee as Node);
  if (!callee) return null;
  const isNew = node.type === 'NewExpression';
  if (callee.type === 'Identifier') {
    const name = (callee as ESTree.Identifier).name;
    const bind = b.get(name);
    if (bind?.module === 'ws') {
      if (!isNew) return null;
      return bind.imported === 'WebSocketServer' || bind.imported === 'Server' ? 'ws-server' : 'ws-client';
    }
    if (bind?.module === 'socket.io' && bind.imported !== 'call' && bind.imported !== 'Socket' && bind.imported !== 'Namespace') return 'socketio-server';
    if (bind?.module === 'socket.io-client' && !isNew) return 'socketio-client';
    if (!bind && isNew && name === 'WebSocketServer') return 'ws-server';
    if (!bind && isNew && name === 'WebSocket') return 'browser-websocket';
    // The socket.io client served as a script exposes a global io().
    if (!bind && !isNew && name === 'io') return 'socketio-client';
    return null;
  }
  if (callee.type === 'MemberExpression') {
    const prop = propName(callee);
    const obj = unwrap((callee as ESTree.MemberExpression).object as Node);
    const objName = obj?.type === 'Identifier' ? (obj as ESTree.Identifier).name : null;
    const bind = objName ? b.get(objName) : undefined;
    if (isNew && (bind?.module === 'ws' || (!bind && objName === 'WebSocket'))) {
      if (prop === 'Server' || prop === 'WebSocketServer') return 'ws-server';
      if (prop === 'WebSocket' && bind) return 'ws-client';
    }
    if (isNew && bind?.module === 'socket.io' && prop === 'Server') return 'socketio-server';
    if (!isNew && bind?.module === 'socket.io-client' && (prop === 'io' || prop === 'connect')) return 'socketio-client';
    return null;
  }
  if (!isNew && callee.type === 'CallExpression') {
    const mod = requireSource(callee);
    if (mod === 'socket.io') return 'socketio-server';
    if (mod === 'socket.io-client') return 'socketio-client';
  }
  return null;
}

/** What a receiver expression is: `wss` (stored construct), `this.wss`, `io.of('/x')`, `io.sockets`. */
export function kindOf(target: Node | null | undefined, f: Facts): Kind | null {
  const n = unwrap(target);
  if (!n) return null;
  if (n.type === 'NewExpression' || n.type === 'CallExpression') {
    const k = classify(n as ESTree.NewExpression, f.bindings);
    if (k) return k;
  }
  if (n.type === 'Identifier') return f.named.get((n as ESTree.Identifier).name) ?? null;
  if (n.type === 'MemberExpression') {
    const own = propName(n);
    if (own && (n as ESTree.MemberExpression).object.type === 'ThisExpression') return f.named.get(own) ?? null;
    const inner = kindOf((n as ESTree.MemberExpression).object as Node, f);
    if (inner === 'socketio-server' && own === 'sockets') return inner;
    return null;
  }
  if (n.type === 'CallExpression') {
    const callee = unwrap((n as ESTree.CallExpression).callee as Node);
    if (propName(callee) === 'of' && callee?.type === 'MemberExpression') {
      const inner = kindOf((callee as ESTree.MemberExpression).object as Node, f);
      if (inner === 'socketio-server') return inner;
    }
  }
  return null;
}

/** The first parameter's name (`(ws, req) => …` → 'ws'), for simple identifier parameters. */
export function paramName(fn: Fn, index: number): string | null {
  const p = fn.params[index] as Node | undefined;
  if (!p) return null;
  const id = p.type === 'AssignmentPattern' ? ((p as ESTree.AssignmentPattern).left as Node) : p;
  return id.type === 'Identifier' ? (id as ESTree.Identifier).name : null;
}

/** Every name a parameter binds (`{ data }`, `[a, b]`, `e`). */
export function patternNames(p: Node | null | undefined, out: Set<string> = new Set()): Set<string> {
  const n = p ?? null;
  if (!n) return out;
  if (n.type === 'Identifier') out.add((n as ESTree.Identifier).name);
  else if (n.type === 'AssignmentPattern') patternNames((n as ESTree.AssignmentPattern).left as Node, out);
  else if (n.type === 'RestElement') patternNames((n as ESTree.RestElement).argument as Node, out);
  else if (n.type === 'ArrayPattern') for (const e of (n as ESTree.ArrayPattern).elements) patternNames(e as Node | null, out);
  else if (n.type === 'ObjectPattern') {
    for (const prop of (n as ESTree.ObjectPattern).properties) patternNames((prop.type === 'Property' ? prop.value : prop.argument) as Node, out);
  } else if (n.type === 'TSParameterProperty') patternNames((n as unknown as { parameter: Node }).parameter, out);
  return out;
}

// --- option objects -------------------------------------------------------------------------

export type Prop = { state: 'present'; value: Node; property: ESTree.Property } | { state: 'missing' } | { state: 'unknown' };

/** An object literal, or the `const` object literal an identifier is initialised with; null when not visible. */
export function resolveObject(node: Node | null | undefined, context: Rule.RuleContext): ESTree.ObjectExpression | null {
  const n = unwrap(node);
  if (!n) return null;
  if (n.type === 'ObjectExpression') return n as ESTree.ObjectExpression;
  if (n.type !== 'Identifier') return null;
  const init = constInit(n as ESTree.Identifier, context);
  return init?.type === 'ObjectExpression' ? (init as ESTree.ObjectExpression) : null;
}

/** The initialiser of the `const` an identifier names, if it is declared in this file. */
export function constInit(id: ESTree.Identifier, context: Rule.RuleContext): Node | null {
  let scope: ReturnType<SourceCode['getScope']> | null = context.sourceCode.getScope(id as ESTree.Node);
  while (scope) {
    const v = scope.set.get(id.name);
    if (v) {
      const def = v.defs[0];
      if (v.defs.length !== 1 || def?.type !== 'Variable' || def.parent.kind !== 'const') return null;
      return unwrap(def.node.init as Node | null);
    }
    scope = scope.upper;
  }
  return null;
}

/** A property of an object literal; 'unknown' when a spread could be providing it. */
export function getProp(obj: ESTree.ObjectExpression, name: string): Prop {
  let spread = false;
  for (const p of obj.properties) {
    if (p.type === 'SpreadElement') {
      spread = true;
      continue;
    }
    const key = p.key;
    const k = !p.computed && key.type === 'Identifier' ? key.name : key.type === 'Literal' ? String(key.value) : null;
    if (k === name) return { state: 'present', value: p.value as Node, property: p };
  }
  return spread ? { state: 'unknown' } : { state: 'missing' };
}

/** A number computed from literals (`64 * 1024`, `1e6`, `2 ** 20`, a const of those); null when not static. */
export function staticNumber(node: Node | null | undefined, context: Rule.RuleContext, depth = 0): number | null {
  const n = unwrap(node);
  if (!n || depth > 8) return null;
  if (n.type === 'Literal') return typeof (n as ESTree.Literal).value === 'number' ? ((n as ESTree.Literal).value as number) : null;
  if (n.type === 'UnaryExpression' && (n as ESTree.UnaryExpression).operator === '-') {
    const v = staticNumber((n as ESTree.UnaryExpression).argument as Node, context, depth + 1);
    return v === null ? null : -v;
  }
  if (n.type === 'BinaryExpression') {
    const b = n as ESTree.BinaryExpression;
    const l = staticNumber(b.left as Node, context, depth + 1);
    const r = staticNumber(b.right as Node, context, depth + 1);
    if (l === null || r === null) return null;
    switch (b.operator) {
      case '*': return l * r;
      case '+': return l + r;
      case '-': return l - r;
      case '/': return l / r;
      case '**': return l ** r;
      case '<<': return l << r;
      default: return null;
    }
  }
  if (n.type === 'Identifier') {
    if ((n as ESTree.Identifier).name === 'Infinity') return Infinity;
    return staticNumber(constInit(n as ESTree.Identifier, context), context, depth + 1);
  }
  return null;
}

/** `true` / `false` literal (or a const of one); null otherwise. */
export function staticBool(node: Node | null | undefined, context: Rule.RuleContext): boolean | null {
  const n = unwrap(node);
  if (!n) return null;
  if (n.type === 'Literal' && typeof (n as ESTree.Literal).value === 'boolean') return (n as ESTree.Literal).value as boolean;
  if (n.type === 'Identifier') {
    const init = constInit(n as ESTree.Identifier, context);
    return init && init !== n ? staticBool(init, context) : null;
  }
  return null;
}

// --- names and taint -----------------------------------------------------------------------

/** Every identifier, property name and string literal in a subtree (lower-cased). */
export function words(node: Node, keys: SourceCode.VisitorKeys): Set<string> {
  const out = new Set<string>();
  walk(node, keys, (n) => {
    if (n.type === 'Identifier') out.add((n as ESTree.Identifier).name.toLowerCase());
    else if (n.type === 'Literal' && typeof (n as ESTree.Literal).value === 'string') out.add(String((n as ESTree.Literal).value).toLowerCase());
    else if (n.type === 'TemplateElement') out.add(String((n as ESTree.TemplateElement).value.cooked ?? '').toLowerCase());
  });
  return out;
}

/** Identifier and property names in a subtree (lower-cased), without string literals. */
export function identifiers(node: Node, keys: SourceCode.VisitorKeys): Set<string> {
  const out = new Set<string>();
  walk(node, keys, (n) => {
    if (n.type === 'Identifier') out.add((n as ESTree.Identifier).name.toLowerCase());
  });
  return out;
}

/** True when `node` reads one of `names` (not counting `x.name` property positions or object keys). */
export function mentions(node: Node | null | undefined, names: Set<string>, keys: SourceCode.VisitorKeys, stop?: (n: Node) => boolean): boolean {
  if (!node || names.size === 0) return false;
  let found = false;
  walk(node, keys, (n, parent) => {
    if (found) return false;
    if (stop?.(n)) return false;
    if (n.type === 'Identifier' && names.has((n as ESTree.Identifier).name)) {
      const isProp = parent?.type === 'MemberExpression' && (parent as ESTree.MemberExpression).property === n && !(parent as ESTree.MemberExpression).computed;
      const isKey = parent?.type === 'Property' && (parent as ESTree.Property).key === n && !(parent as ESTree.Property).computed && !(parent as ESTree.Property).shorthand;
      if (!isProp && !isKey) found = true;
    }
    return undefined;
  });
  return found;
}

/**
 * Names derived from `seeds` inside `fn`: `const m = JSON.parse(data)` makes `m` tainted when
 * `data` is. Name-based and flow-insensitive (a fixpoint over declarations and assignments).
 */
export function taint(fn: Node, seeds: Iterable<string>, keys: SourceCode.VisitorKeys, stop?: (n: Node) => boolean): Set<string> {
  const names = new Set(seeds);
  for (let round = 0; round < 6; round++) {
    const before = names.size;
    walk(fn, keys, (n) => {
      if (n.type === 'VariableDeclarator') {
        const d = n as ESTree.VariableDeclarator;
        if (d.init && mentions(d.init as Node, names, keys, stop)) patternNames(d.id as Node, names);
      } else if (n.type === 'AssignmentExpression') {
        const a = n as ESTree.AssignmentExpression;
        if (a.left.type === 'Identifier' && mentions(a.right as Node, names, keys, stop)) names.add(a.left.name);
      } else if (n.type === 'ForOfStatement' || n.type === 'ForInStatement') {
        const s = n as ESTree.ForOfStatement;
        if (mentions(s.right as Node, names, keys, stop) && s.left.type === 'VariableDeclaration') for (const d of s.left.declarations) patternNames(d.id as Node, names);
      } else if (isFunction(n) && n !== fn && n.parent?.type === 'CallExpression') {
        // `items.map((x) => …)`: the callback's parameters carry the receiver's taint.
        const call = n.parent as ESTree.CallExpression;
        if (call.callee.type === 'MemberExpression' && mentions(call.callee.object as Node, names, keys, stop)) for (const p of n.params) patternNames(p as Node, names);
      }
    });
    if (names.size === before) break;
  }
  return names;
}

/** The chain of ancestors, nearest first. */
export function ancestors(node: Node): Node[] {
  const out: Node[] = [];
  for (let p = node.parent; p; p = p.parent) out.push(p);
  return out;
}

/** Does the subtree call a function whose name matches `re`? */
export function callsMatching(node: Node, re: RegExp, keys: SourceCode.VisitorKeys): boolean {
  let found = false;
  walk(node, keys, (n) => {
    if (found) return false;
    if (n.type === 'CallExpression' || n.type === 'NewExpression') {
      const name = calleeName((n as ESTree.CallExpression).callee as Node);
      if (name && re.test(name)) found = true;
    }
    return undefined;
  });
  return found;
}

export const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1|[a-z0-9.-]+\.localhost)$/i;

/** Credential-looking names: token, jwt, authorization, api key, session id, password, secret, cookie. */
export const CREDENTIAL = /(token|jwt|bearer|authori[sz]ation|api[-_]?key|access[-_]?key|passw(or)?d|secret|session[-_]?id|cookie|credential)/i;

/** `fn` plus the local functions and methods it calls (`check(req)`, `this.onUpgrade(…)`), `depth` levels deep. */
export function reachable(fn: Node, f: Facts, depth = 2): Node[] {
  const out: Node[] = [fn];
  const seen = new Set<Node>([fn]);
  let frontier: Node[] = [fn];
  for (let d = 0; d < depth; d++) {
    const next: Node[] = [];
    for (const g of frontier) {
      walk(g, f.keys, (n) => {
        if (n.type !== 'CallExpression') return;
        const callee = unwrap((n as ESTree.CallExpression).callee as Node);
        const local = callee?.type === 'Identifier' || (callee?.type === 'MemberExpression' && (callee as ESTree.MemberExpression).object.type === 'ThisExpression');
        const target = local ? f.functions.get(calleeName(callee) ?? '') : undefined;
        if (target && !seen.has(target)) {
          seen.add(target);
          out.push(target);
          next.push(target);
        }
      });
    }
    frontier = next;
  }
  return out;
}

/** Does `fn` (or a local function it calls) mention a word matching `re`? */
export function reads(fn: Node, re: RegExp, f: Facts): boolean {
  return reachable(fn, f).some((g) => [...words(g, f.keys)].some((w) => re.test(w)));
}

/** `context.report` that reports each node once (nested listeners can reach the same sink twice). */
export function reportOnce(context: Rule.RuleContext): (d: { node: ESTree.Node; messageId: string; data?: Record<string, string> }) => void {
  const seen = new Set<ESTree.Node>();
  return (d) => {
    if (seen.has(d.node)) return;
    seen.add(d.node);
    context.report(d);
  };
}
