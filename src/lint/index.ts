/**
 * `wsguard/eslint`: static WebSocket security checks as an ESLint (flat config) plugin.
 *
 *   import wsguard from 'wsguard/eslint';
 *   export default [wsguard.configs.recommended];
 *
 * Rules are plain objects (no run-time import of eslint); docs/lint.md lists them.
 */
import type { ESLint, Linter } from 'eslint';
import { rule as noAuthAfterUpgrade } from './rules/no-auth-after-upgrade.js';
import { rule as noInsecureWebsocketUrl } from './rules/no-insecure-websocket-url.js';
import { rule as noMessageToHtml } from './rules/no-message-to-html.js';
import { rule as noTokenInQuery } from './rules/no-token-in-query.js';
import { rule as noTrivialCredentialCheck } from './rules/no-trivial-credential-check.js';
import { rule as noUnauthorizedBroadcast } from './rules/no-unauthorized-broadcast.js';
import { rule as noUnboundedDeflate } from './rules/no-unbounded-deflate.js';
import { rule as noUncalledHelmet } from './rules/no-uncalled-helmet.js';
import { rule as requireErrorListener } from './rules/require-error-listener.js';
import { rule as requireHeartbeat } from './rules/require-heartbeat.js';
import { rule as requireMaxPayload } from './rules/require-max-payload.js';
import { rule as requireMessageValidation } from './rules/require-message-validation.js';
import { rule as requireOriginCheck } from './rules/require-origin-check.js';
import type { WsgRule } from './types.js';
import { toolVersion } from '../audit/version.js';

export type { WsgRule, WsgRuleDocs } from './types.js';

/** Every rule, by name (the file name under rules/). */
export const rules: Record<string, WsgRule> = {
  'require-origin-check': requireOriginCheck,
  'no-auth-after-upgrade': noAuthAfterUpgrade,
  'no-trivial-credential-check': noTrivialCredentialCheck,
  'no-token-in-query': noTokenInQuery,
  'require-max-payload': requireMaxPayload,
  'no-unbounded-deflate': noUnboundedDeflate,
  'require-message-validation': requireMessageValidation,
  'require-error-listener': requireErrorListener,
  'require-heartbeat': requireHeartbeat,
  'no-unauthorized-broadcast': noUnauthorizedBroadcast,
  'no-uncalled-helmet': noUncalledHelmet,
  'no-insecure-websocket-url': noInsecureWebsocketUrl,
  'no-message-to-html': noMessageToHtml,
};

export const PLUGIN_NAME = 'wsguard';

/** ESLint severity per rule: high and medium findings are errors, low ones warnings. */
export const recommendedRules: Linter.RulesRecord = Object.fromEntries(
  Object.entries(rules).map(([name, r]) => [`${PLUGIN_NAME}/${name}`, r.meta.docs.severity === 'low' ? 'warn' : 'error']),
);

const plugin = {
  meta: { name: 'wsguard/eslint', version: toolVersion() },
  rules,
  configs: {} as Record<string, Linter.Config>,
} satisfies ESLint.Plugin;

plugin.configs.recommended = { name: 'wsguard/recommended', plugins: { [PLUGIN_NAME]: plugin }, rules: recommendedRules };

export const configs = plugin.configs;
export default plugin;
