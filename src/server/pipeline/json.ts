/** Stage 'json': bounded parse (depth, keys, lengths, forbidden keys) from src/protocol/json.ts. */
import { parseBoundedJson, type JsonLimits } from '../../protocol/index.js';
import type { InboundMessage, Parsed, Stage } from './types.js';

export function jsonStage(limits: JsonLimits): Stage<InboundMessage, Parsed> {
  return {
    name: 'json',
    ahead: 'check',
    run: (m) => {
      const result = parseBoundedJson(m.data.toString('utf8'), limits);
      if (!result.ok) return { error: 'invalid_message', violation: `json_${result.reason}` };
      m.value = result.value;
      return undefined;
    },
  };
}
