/** Stage 'path': only the configured WebSocket path (exact, query allowed). */
import { refuse, type GateStage } from './types.js';

export function pathStage(path: string): GateStage {
  return { name: 'path', run: (ctx) => (ctx.url.pathname === path ? undefined : refuse(400, 'bad_path')) };
}
