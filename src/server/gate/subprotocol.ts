/**
 * Stage 'subprotocol': the client must offer `wsguard.v1`; it is the only entry ever echoed
 * (a `wsguard.bearer.<jwt>` entry is a credential and never goes back on the wire).
 */
import { SUBPROTOCOL } from '../../protocol/index.js';
import { refuse, type GateStage } from './types.js';

/** RFC 7230 token characters. */
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function subprotocolStage(): GateStage {
  return {
    name: 'subprotocol',
    run: (ctx) => {
      // Malformed or repeated entries are refused here, so ws never answers with its own wording.
      if (ctx.offeredProtocols.some((p) => !TOKEN_RE.test(p)) || new Set(ctx.offeredProtocols).size !== ctx.offeredProtocols.length) return refuse(400, 'subprotocol');
      if (!ctx.offeredProtocols.includes(SUBPROTOCOL)) return refuse(400, 'subprotocol');
      ctx.protocol = SUBPROTOCOL;
      return undefined;
    },
  };
}

/** Splits Sec-WebSocket-Protocol linearly (no regex backtracking), bounded in count. */
export function parseProtocols(header: string | undefined): string[] {
  if (!header) return [];
  return header.split(',', 16).map((p) => p.trim()).filter((p) => p.length > 0);
}
