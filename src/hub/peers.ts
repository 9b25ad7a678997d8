/**
 * The hub's own dependencies (better-sqlite3, ioredis, helmet; pino and prom-client through
 * wsguard/server) are optional peer dependencies of the package, so a user of wsguard/client or
 * wsguard/server alone never installs or compiles them. The hub loads the modules that need them
 * lazily and turns a missing package into one line saying what to install.
 */
export class MissingPeerError extends Error {
  constructor(readonly pkg: string, purpose: string) {
    super(`${purpose} needs the ${pkg} package: npm install ${pkg}`);
    this.name = 'MissingPeerError';
  }
}

/** The first of `pkgs` that `err` says could not be found, if any. */
export function missingPackage(err: unknown, pkgs: readonly string[]): string | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') return undefined;
  return pkgs.find((p) => e.message.includes(`'${p}'`));
}

/** Runs `load` (a dynamic import); a missing package among `pkgs` becomes a MissingPeerError. */
export async function loadWithPeers<T>(pkgs: readonly string[], purpose: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const pkg = missingPackage(err, pkgs);
    if (pkg !== undefined) throw new MissingPeerError(pkg, purpose);
    throw err;
  }
}
