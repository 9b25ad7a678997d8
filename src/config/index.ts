export { CONFIG_KEYS, parseDuration, type ConfigKey, type ConfigValues } from './keys.js';
export { loadConfig, parseValues, selfOrigins, isLoopbackHost, type HubConfig } from './load.js';
export { ensureParentDir } from './paths.js';
export { checkTlsPair, TlsPairError, type CheckedPair } from './tls-pair.js';
