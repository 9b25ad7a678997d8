/** Stage 'accepting': refuse new handshakes while the guard shuts down. */
import { refuse, type GateStage } from './types.js';

export function acceptingStage(isClosing: () => boolean): GateStage {
  return { name: 'accepting', run: () => (isClosing() ? refuse(503, 'shutting_down', { 'Retry-After': '5' }) : undefined) };
}
