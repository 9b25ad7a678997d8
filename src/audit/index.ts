/** Public API of `wsguard/audit`. */
export { runAudit, TargetUnreachableError, type RunOptions, type RunAuditResult } from './runner.js';
export { loadChecks } from './registry.js';
export { AUDIT_DEFAULTS, AuditOptionError, resolveOptions, parseTarget, type AuditOptionsInput } from './options.js';
export { REPORTERS, FORMATS, type Format } from './reporters/index.js';
export { listChecksMarkdown, listChecksText } from './list-checks.js';
export { discoverEndpoints } from './discover.js';
export * from './types.js';
