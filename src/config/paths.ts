/**
 * Start-up checks of the paths in the configuration, before anything opens them: a bad path stops
 * the hub with one line naming its key.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { WsguardConfigError } from '../protocol/failures.js';

/**
 * Makes sure the directory of `file` exists, creating missing levels one at a time. Not
 * mkdirSync(recursive): under a pseudo file system such as /proc it can spin forever instead of
 * failing (seen with Node 20 on `/proc/nope/x.db`).
 */
export function ensureParentDir(file: string, key: string): void {
  const missing: string[] = [];
  let dir = dirname(resolve(file));
  for (let i = 0; i < 256; i++) {
    let st;
    try {
      st = statSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new WsguardConfigError(key, `cannot use ${file}: ${code ?? 'stat failed'} on ${dir}`);
      missing.unshift(dir);
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
      continue;
    }
    if (!st.isDirectory()) throw new WsguardConfigError(key, `cannot use ${file}: ${dir} is not a directory`);
    break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new WsguardConfigError(key, `cannot create the directory ${d} for ${file} (${code ?? 'mkdir failed'})`);
    }
  }
}
