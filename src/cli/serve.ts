/**
 * `wsguard serve`: the file-event hub (keys in docs/configuration.md). Configuration from the environment and an
 * optional JSON file; a bad value stops start-up with one line naming the key.
 */
import { parseArgs } from 'node:util';
import { loadConfig, ensureParentDir, CONFIG_KEYS } from '../config/index.js';
import { WsguardConfigError } from '../protocol/failures.js';
import { checkHubPeers, loadWithPeers, MissingPeerError } from '../hub/peers.js';
import { signToken } from '../auth/sign.js';
import { DEMO_USERS } from '../hub/dev-users.js';

const HELP = `usage: wsguard serve [--config FILE]

Runs the file-event hub: the page at /, WebSocket at /ws, HTTP API under /api.
Configuration: WSGUARD_* environment variables or a JSON file (see docs/configuration.md).
Without WSGUARD_JWT_SECRET it runs in dev mode: a random secret, demo tokens, loopback only.
With WSGUARD_TLS_CERT and WSGUARD_TLS_KEY it serves https/wss; SIGHUP reloads the certificate.`;

export async function run(argv: string[]): Promise<number> {
  let values: { config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (err) {
    console.error(`wsguard serve: ${(err as Error).message}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }

  let config;
  try {
    config = loadConfig(process.env, values.config ?? process.env.WSGUARD_CONFIG);
    if (!config.redis) ensureParentDir(config.db, CONFIG_KEYS.db.env);
  } catch (err) {
    if (err instanceof WsguardConfigError) {
      console.error(`wsguard: ${err.message}`);
      return 2;
    }
    throw err;
  }

  let hub;
  try {
    // Every optional package this configuration needs, checked at once: all the missing ones in one line.
    checkHubPeers(config);
    // Loaded here, not at the top: a peer missing after all (a hand-pruned node_modules) is one line.
    const { startHub } = await loadWithPeers(['better-sqlite3', 'helmet', 'ioredis'], 'wsguard serve', () => import('../hub/app.js'));
    hub = await startHub(config);
  } catch (err) {
    if (err instanceof MissingPeerError) {
      console.error(`wsguard: ${err.message}`);
      return 2;
    }
    // The event log file cannot be opened (permissions, not a database...): a configuration error.
    if ((err as Error).name === 'EventStoreOpenError') {
      console.error(`wsguard: invalid configuration: ${CONFIG_KEYS.db.env}: ${(err as Error).message}`);
      return 2;
    }
    console.error(`wsguard: ${(err as Error).message}`);
    // A configuration found bad only when the hub applies it (the TLS pair with the profile) is still a configuration error.
    return err instanceof WsguardConfigError ? 2 : 1;
  }

  console.log(`wsguard hub on ${hub.url}/  (WebSocket ${hub.wsUrl}, event log ${config.redis ? 'Redis ' + config.redis.prefix : config.db})`);
  if (config.devMode) {
    console.log('dev mode: no WSGUARD_JWT_SECRET, so a random secret was generated; loopback only. Demo tokens (15 min):');
    for (const u of DEMO_USERS) {
      const t = await signToken({ secret: config.jwt.secret!, sub: u.sub, perms: u.perms, ttlSec: 900, issuer: config.jwt.issuer, audience: config.jwt.audience });
      console.log(`  ${u.sub.padEnd(6)} ${t}`);
    }
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second signal: the operator wants out now, without waiting for the drain. Everything
        // acknowledged is already committed (acks follow the commit), so exiting loses nothing.
        console.error(`wsguard: second ${signal}, exiting now`);
        process.exit(1);
      }
      stopping = true;
      console.log(`wsguard: ${signal}, closing connections (1001) and draining`);
      hub.close().then(
        () => resolve(0),
        (err: unknown) => {
          console.error(`wsguard: shutdown: ${(err as Error).message}`);
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    // TLS: SIGHUP reloads the certificate and key files (new handshakes only; see src/hub/tls.ts).
    if (hub.tls) process.on('SIGHUP', () => void hub.tls!.reload('SIGHUP'));
  });
}
