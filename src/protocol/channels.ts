/**
 * Channel names and permission patterns.
 * A channel is `<namespace>:<name>(/<segment>)*`, e.g. `files:acme` or `files:acme/reports`.
 * A permission pattern is a channel name, or a channel name followed by `/*`, which matches
 * every channel strictly below that prefix. Nothing else is a wildcard; default deny.
 */
const SEGMENT = '[A-Za-z0-9_.-]{1,64}';
export const CHANNEL_RE = new RegExp(`^[a-z][a-z0-9_-]{0,31}:${SEGMENT}(?:/${SEGMENT}){0,7}$`);
export const MAX_CHANNEL_LENGTH = 256;

export function isValidChannel(name: string): boolean {
  return name.length <= MAX_CHANNEL_LENGTH && CHANNEL_RE.test(name) && !name.split(/[:/]/).some((s) => s === '.' || s === '..');
}

export function matchesPattern(pattern: string, channel: string): boolean {
  if (pattern.endsWith('/*')) {
    const prefix = pattern.slice(0, -1); // keep the trailing '/'
    return channel.length > prefix.length && channel.startsWith(prefix);
  }
  return pattern === channel;
}

/** True when any pattern in the list grants the channel. An empty or absent list grants nothing. */
export function isAllowed(patterns: readonly string[] | undefined, channel: string): boolean {
  if (!patterns) return false;
  for (const p of patterns) if (matchesPattern(p, channel)) return true;
  return false;
}
