/**
 * The hub's own dependencies (better-sqlite3, ioredis, helmet) are optional peer dependencies of the
 * package, so a user of wsguard/client or wsguard/server never installs or compiles them (pino and
 * prom-client, which wsguard/server itself imports, are plain dependencies: always installed). The hub loads the modules that need them
 * lazily and turns a missing package into one line saying what to install.
 */
export interface Peer {
  readonly pkg: string;
  /** What needs it, for the message. */
  readonly purpose: string;
}

export class MissingPeerError extends Error {
  readonly pkgs: readonly string[];
  /** One package (what a failed import found) or the list checkHubPeers found, with one install command. */
  constructor(missing: readonly Peer[]) {
    const pkgs = missing.map((m) => m.pkg);
    const install = `npm install ${pkgs.join(' ')}`;
    super(
      missing.length === 1
        ? `${missing[0]!.purpose} needs the ${pkgs[0]} package: ${install}`
        : `wsguard serve needs ${missing.length} packages that are not installed: ${missing.map((m) => `${m.pkg} for ${m.purpose}`).join(', ')}: ${install}`,
    );
    this.name = 'MissingPeerError';
    this.pkgs = pkgs;
  }
}

/** The optional packages `wsguard serve` loads with this configuration (SQLite or Redis, not both). */
export function hubPeers(config: { readonly redis?: unknown }): Peer[] {
  return [
    config.redis ? { pkg: 'ioredis', purpose: 'cluster mode (WSGUARD_REDIS_URL)' } : { pkg: 'better-sqlite3', purpose: 'the SQLite event log (WSGUARD_DB)' },
    { pkg: 'helmet', purpose: "the hub's HTTP routes" },
  ];
}

/** Whether `pkg` resolves from here, as the hub's own imports of it would (nothing is loaded). */
export function isInstalled(pkg: string): boolean {
  try {
    import.meta.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks every package this configuration needs before starting anything, so that all the missing
 * ones are named in one line with one install command (loading them one by one named one per start).
 */
export function checkHubPeers(config: { readonly redis?: unknown }, installed: (pkg: string) => boolean = isInstalled): void {
  const missing = hubPeers(config).filter((p) => !installed(p.pkg));
  if (missing.length > 0) throw new MissingPeerError(missing);
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
    if (pkg !== undefined) throw new MissingPeerError([{ pkg, purpose }]);
    throw err;
  }
}
