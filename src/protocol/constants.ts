/** Wire constants with no dependencies, so the browser client can import them without zod. */
export const SUBPROTOCOL = 'wsguard.v1';
/** Prefix of the subprotocol entry that carries a bearer JWT; never echoed. */
export const BEARER_SUBPROTOCOL_PREFIX = 'wsguard.bearer.';
