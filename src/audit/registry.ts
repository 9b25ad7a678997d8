/**
 * Finds the check modules: every `checks/<area>/<ID>.(ts|js)` next to this file. Discovery
 * (not a hand-kept list) so adding a check is adding one file.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AREAS, SEVERITIES, type CheckModule } from './types.js';

export const CHECKS_DIR = fileURLToPath(new URL('./checks/', import.meta.url));

/** Files that should be check modules, as absolute paths. */
export function checkFiles(dir = CHECKS_DIR): string[] {
  const out: string[] = [];
  for (const area of readdirSync(dir).sort()) {
    const sub = join(dir, area);
    if (!statSync(sub).isDirectory()) continue;
    for (const f of readdirSync(sub).sort()) {
      if (/^WSG-[A-Z]+-\d+\.(ts|js)$/.test(f)) out.push(join(sub, f));
    }
  }
  return out;
}

/** Why `mod` (loaded from `file`) is not a valid check, or null. */
export function checkModuleProblem(mod: Partial<CheckModule>, file: string): string | null {
  const id = file.replace(/^.*[\\/]/, '').replace(/\.(ts|js)$/, '');
  const m = mod.meta;
  if (!m) return `${file}: no exported meta`;
  if (typeof mod.run !== 'function') return `${file}: no exported run(ctx)`;
  if (m.id !== id) return `${file}: meta.id ${m.id} does not match the file name`;
  if (!(AREAS as readonly string[]).includes(m.area) || !file.includes(`${m.area.toLowerCase()}`)) return `${file}: bad area ${m.area}`;
  if (!(SEVERITIES as readonly string[]).includes(m.severity)) return `${file}: bad severity`;
  if (m.mode !== 'safe' && m.mode !== 'intrusive') return `${file}: bad mode`;
  for (const k of ['title', 'remediation', 'description'] as const) if (!m[k]?.trim()) return `${file}: empty meta.${k}`;
  if (!Array.isArray(m.references) || m.references.length === 0) return `${file}: no references`;
  return null;
}

export async function loadChecks(dir = CHECKS_DIR): Promise<CheckModule[]> {
  const mods: CheckModule[] = [];
  for (const file of checkFiles(dir)) {
    const mod = (await import(pathToFileURL(file).href)) as Partial<CheckModule>;
    const problem = checkModuleProblem(mod, file);
    if (problem) throw new Error(`invalid check module ${problem}`);
    mods.push(mod as CheckModule);
  }
  // CHECKS.md order: by area as listed there, then by number.
  const area = (m: CheckModule) => (AREAS as readonly string[]).indexOf(m.meta.area);
  return mods.sort((a, b) => area(a) - area(b) || a.meta.id.localeCompare(b.meta.id, 'en', { numeric: true }));
}
