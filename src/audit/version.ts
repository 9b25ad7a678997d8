/** wsguard's version, from package.json (same relative place from src/ and dist/). */
import { readFileSync } from 'node:fs';

export function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
