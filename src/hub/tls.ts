/**
 * The hub's TLS: the profile of server/tls-profile.ts on its https server, certificate reload
 * without a restart, and the certificate's expiry in a metric, in /healthz and in the log.
 *
 * Reload (`reload()`: SIGHUP in `wsguard serve`, and a poll of the files every reloadIntervalMs,
 * since ACME clients rewrite them every few weeks) checks the new pair first and then swaps it in
 * with `server.setSecureContext`: new handshakes get the new certificate, open connections keep
 * theirs. A bad new pair (unreadable, not PEM, key not matching, expired) keeps the current one
 * and logs one line; the poll retries only when the files change again.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, type TlsOptions } from 'node:tls';
import type https from 'node:https';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { secureTlsOptions, tlsProfileWeakenings } from '../server/index.js';
import { checkTlsPair, TlsPairError, type HubConfig } from '../config/index.js';
import { WsguardConfigError } from '../protocol/failures.js';

/** The log warns (and WSG-TLS-03 reports) when the certificate expires within this many days. */
export const EXPIRY_WARN_DAYS = 14;
const DAY_MS = 86_400_000;
/** How often the expiry is checked for the log warning (the metric is always current). */
const EXPIRY_CHECK_MS = 12 * 3_600_000;
const RELOAD_OUTCOMES = ['reloaded', 'refused'] as const;

export type HubTlsConfig = NonNullable<HubConfig['tls']>;

export interface CertificateInfo {
  readonly subject: string;
  readonly notAfter: string;
  readonly fingerprint256: string;
}

/** The last reload attempt (SIGHUP, a file change, or a call), for /healthz. */
export interface ReloadResult {
  /** ISO time of the attempt. */
  readonly at: string;
  readonly outcome: (typeof RELOAD_OUTCOMES)[number];
  /** Why a pair was refused. */
  readonly reason?: string;
}

/** The /healthz field. */
export interface TlsHealth {
  readonly notAfter: string;
  /** Days until notAfter, rounded down to a tenth: 2.99 days is 2.9, never 3; negative once expired. */
  readonly daysLeft: number;
  /** null until the first reload attempt. */
  readonly lastReload: ReloadResult | null;
}

interface KeyPair {
  readonly cert: string;
  readonly key: string;
  readonly info: CertificateInfo;
  readonly notAfterMs: number;
}

/** The checks of config/tls-pair.ts, then the pair with the profile the way OpenSSL will use it. */
function checkPair(cert: string, key: string, profile: TlsOptions): KeyPair {
  const checked = checkTlsPair(cert, key);
  try {
    createSecureContext({ ...profile, cert, key });
  } catch (err) {
    throw new TlsPairError('key', `OpenSSL refuses the pair (${(err as Error).message})`);
  }
  return { cert, key, notAfterMs: checked.notAfterMs, info: { subject: checked.subject, notAfter: new Date(checked.notAfterMs).toISOString(), fingerprint256: checked.fingerprint256 } };
}

export class HubTls {
  private readonly profile: TlsOptions;
  private current: KeyPair;
  /** Texts of the last pair tried from the files, so a bad pair is logged once, not at every poll. */
  private lastTried: string;
  private server?: https.Server;
  private readonly timers: NodeJS.Timeout[] = [];
  private reloads?: Counter<'outcome'>;
  private lastReload: ReloadResult | null = null;

  constructor(private readonly config: HubTlsConfig, private readonly logger: Logger) {
    const weakenings = tlsProfileWeakenings(config);
    if (weakenings.length) logger.warn({ weakenings }, `tls: the configuration weakens the TLS profile: ${weakenings.join('; ')}`);
    this.profile = secureTlsOptions({ ciphers: config.ciphers, minVersion: config.minVersion });
    try {
      // loadConfig ran the same checks (naming the key as configured); this covers callers of startHub.
      this.current = checkPair(config.cert, config.key, this.profile);
    } catch (err) {
      if (err instanceof TlsPairError) throw new WsguardConfigError(err.file === 'cert' ? 'WSGUARD_TLS_CERT' : 'WSGUARD_TLS_KEY', err.message);
      throw err;
    }
    this.lastTried = config.cert + '\0' + config.key;
    logger.info({ ...this.current.info }, 'tls: certificate loaded');
    this.warnIfNearExpiry();
  }

  /** Options for https.createServer: the profile and the current pair. */
  serverOptions(): https.ServerOptions {
    return { ...this.profile, cert: this.current.cert, key: this.current.key };
  }

  /** Starts reloading into `server`, and registers the metrics. */
  attach(server: https.Server, registry: Registry): void {
    this.server = server;
    const registers = [registry];
    const notAfterSeconds = () => Math.floor(this.current.notAfterMs / 1000);
    // Registered on `registry` and read at scrape time, so it always shows the certificate being served.
    new Gauge({
      name: 'wsguard_tls_certificate_expiry_timestamp_seconds',
      help: 'Expiry (notAfter) of the served TLS certificate, Unix time in seconds.',
      registers,
      collect() {
        this.set(notAfterSeconds());
      },
    });
    this.reloads = new Counter({ name: 'wsguard_tls_reloads_total', help: 'Certificate reloads by outcome (reloaded, refused).', labelNames: ['outcome'] as const, registers });
    // Every outcome exported from the start, so `increase(...{outcome="refused"}[1h]) > 0` sees the first refusal.
    for (const outcome of RELOAD_OUTCOMES) this.reloads.inc({ outcome }, 0);
    if (this.config.reloadIntervalMs && this.config.certFile && this.config.keyFile) {
      this.timers.push(setInterval(() => this.pollFiles(), this.config.reloadIntervalMs).unref());
    }
    this.timers.push(setInterval(() => this.warnIfNearExpiry(), EXPIRY_CHECK_MS).unref());
  }

  info(): CertificateInfo {
    return this.current.info;
  }

  health(): TlsHealth {
    return { notAfter: this.current.info.notAfter, daysLeft: Math.floor(((this.current.notAfterMs - Date.now()) / DAY_MS) * 10) / 10, lastReload: this.lastReload };
  }

  /** Reads the files and swaps in the new pair if it is good. True when the new pair is served. */
  reload(trigger: string): boolean {
    const read = this.readFiles();
    if ('error' in read) return this.refuse(trigger, read.error);
    this.lastTried = read.cert + '\0' + read.key;
    return this.swap(trigger, read.cert, read.key);
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }

  private pollFiles(): void {
    const read = this.readFiles();
    const seen = 'error' in read ? `error\0${read.error}` : read.cert + '\0' + read.key;
    if (seen === this.lastTried) return;
    this.lastTried = seen;
    if ('error' in read) this.refuse('file change', read.error);
    else this.swap('file change', read.cert, read.key);
  }

  private readFiles(): { cert: string; key: string } | { error: string } {
    const { certFile, keyFile } = this.config;
    if (!certFile || !keyFile) return { error: 'the certificate was not given as files' };
    try {
      return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    } catch (err) {
      return { error: `cannot read ${(err as NodeJS.ErrnoException).path ?? 'the files'} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
    }
  }

  private swap(trigger: string, cert: string, key: string): boolean {
    let pair: KeyPair;
    try {
      pair = checkPair(cert, key, this.profile);
      this.server?.setSecureContext({ ...this.profile, cert, key });
    } catch (err) {
      return this.refuse(trigger, (err as Error).message);
    }
    const previous = this.current.info.fingerprint256;
    this.current = pair;
    this.reloads?.inc({ outcome: 'reloaded' });
    this.lastReload = { at: new Date().toISOString(), outcome: 'reloaded' };
    if (previous === pair.info.fingerprint256) this.logger.info({ trigger, ...pair.info }, 'tls: certificate reloaded, unchanged');
    else this.logger.info({ trigger, ...pair.info, previous }, 'tls: new certificate served to new handshakes');
    this.warnIfNearExpiry();
    return true;
  }

  private refuse(trigger: string, reason: string): false {
    this.reloads?.inc({ outcome: 'refused' });
    this.lastReload = { at: new Date().toISOString(), outcome: 'refused', reason };
    this.logger.error({ trigger, reason, serving: this.current.info.fingerprint256 }, `tls: new certificate refused, still serving the current one: ${reason}`);
    return false;
  }

  private warnIfNearExpiry(): void {
    const { daysLeft, notAfter } = this.health();
    if (this.current.notAfterMs <= Date.now()) this.logger.error({ notAfter }, `tls: the certificate expired on ${notAfter}: clients refuse it; renew it`);
    else if (daysLeft < EXPIRY_WARN_DAYS) this.logger.warn({ notAfter, daysLeft }, `tls: the certificate expires in ${daysLeft} days (${notAfter}): renew it`);
  }
}
