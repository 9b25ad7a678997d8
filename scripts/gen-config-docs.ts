// Regenerates docs/configuration.md from src/config/keys.ts (run: npx tsx scripts/gen-config-docs.ts).
import { writeFileSync } from 'node:fs';
import { configTableMarkdown } from '../src/config/docs.js';

/** The TLS section: the profile, its keys, certificate reload, and the proxy alternative. */
const TLS_SECTION = `
## TLS

With \`WSGUARD_TLS_CERT\` and \`WSGUARD_TLS_KEY\` the hub serves \`https\`/\`wss\` itself, with this profile
(the "intermediate" profile of Mozilla's server-side TLS guidelines without DHE; \`TLS_PROFILE\` in
src/server/tls-profile.ts, exported by \`wsguard/server\` as \`secureHttpsOptions()\`):

| setting | value |
| --- | --- |
| versions | TLS 1.2 and TLS 1.3 only |
| TLS 1.3 suites | \`TLS_AES_128_GCM_SHA256\`, \`TLS_AES_256_GCM_SHA384\`, \`TLS_CHACHA20_POLY1305_SHA256\` |
| TLS 1.2 suites | \`ECDHE-ECDSA-AES128-GCM-SHA256\`, \`ECDHE-RSA-AES128-GCM-SHA256\`, \`ECDHE-ECDSA-AES256-GCM-SHA384\`, \`ECDHE-RSA-AES256-GCM-SHA384\`, \`ECDHE-ECDSA-CHACHA20-POLY1305\`, \`ECDHE-RSA-CHACHA20-POLY1305\` |
| key exchange groups | X25519, P-256, P-384 |
| suite order | the server's (\`honorCipherOrder\`) |
| renegotiation | refused (\`SSL_OP_NO_RENEGOTIATION\`; TLS 1.3 has none) |

So no RSA key exchange (every session is forward secret), no CBC, no SHA-1 MAC, no 3DES, RC4, NULL or EXPORT.
\`wsguard audit wss://HOST:PORT/ws --ca ca.pem --only TLS --fail-on medium\` reports nothing for it and exits 0;
a weakened profile is a medium finding (WSG-TLS-02), so this command fails a CI job (exit 1). Keep
\`--fail-on medium\`: the default threshold is \`high\`, which lets a weak profile pass. \`npm test\` runs a
full self-audit over \`wss://\` (test/drills/self-audit.test.ts, which serves the hub over TLS).

**Changing it.** \`WSGUARD_TLS_CIPHERS\` replaces the cipher list and \`WSGUARD_TLS_MIN_VERSION\` the lowest
version. Both apply only with a certificate. A list that names anything outside the profile (keywords
like \`HIGH\` or \`DEFAULT\` included), or a version below TLS 1.2, is logged as a warning at every start:
\`tls: the configuration weakens the TLS profile: ciphers outside the profile: AES256-SHA\`. Narrowing the
profile (a subset of its names, or \`TLSv1.3\`) logs nothing. With OpenSSL 3, TLS 1.0 and 1.1 also need
\`@SECLEVEL=0\` in the cipher list.

**Certificate reload.** New handshakes get a new certificate without a restart; open connections keep
theirs. The hub reloads the two files on \`SIGHUP\` and when it sees them change, checking every
\`WSGUARD_TLS_RELOAD_INTERVAL\` (default \`1m\`; at least \`1s\`, or \`0\` = only on \`SIGHUP\`), so a renewed
certificate is served within a minute even without a hook. The new pair is checked before it is used:
unreadable, not PEM, a key that does not match the certificate, or a certificate that is expired or
not yet valid keeps the current certificate and logs one line, e.g.
\`tls: new certificate refused, still serving the current one: the key does not match the certificate\`.
A refused pair is tried again when the files change again, or on \`SIGHUP\`. An ACME client that writes
the key and the certificate one after the other may cause one refusal in between; the next check
picks up the complete pair.

**Which process to signal.** Only the node process that runs the hub handles \`SIGHUP\`; any other
process takes it as "terminate". \`npm start\` and \`npx wsguard serve\` run an npm process above node,
and a \`SIGHUP\` to it ends the hub. So under a supervisor run node itself: \`node dist/cli/main.js serve\`
from a checkout, or the installed \`wsguard serve\` (the bin's \`#!/usr/bin/env node\` line execs node, so
its PID is node's), and signal that PID only. With systemd:

\`\`\`ini
[Service]
ExecStart=/usr/bin/node /opt/wsguard/dist/cli/main.js serve
ExecReload=/bin/kill -HUP $MAINPID
\`\`\`

Then \`systemctl reload wsguard\` signals the main process only, and certbot's hook is
\`--deploy-hook "systemctl reload wsguard"\`. Do not use \`systemctl kill -s HUP wsguard\`: it signals
every process of the unit. Without a supervisor, \`kill -HUP PID\` with the PID of the process whose
command line is \`node .../main.js serve\` (\`ps -o pid,args\`).

**At start-up** the same checks apply: a pair that a reload would refuse stops the hub with one line
naming the key and the file, and exit code 2 like every configuration error, e.g.
\`wsguard: invalid configuration: WSGUARD_TLS_CERT: the certificate expired on 2026-03-01T00:00:00.000Z (/etc/wsguard/cert.pem)\`
or \`wsguard: invalid configuration: WSGUARD_TLS_KEY: cannot read live/nokey.pem (ENOENT)\`. Keys set in
the config file are named as there: \`tls_key (in /etc/wsguard.json)\`.

**Expiry and reloads.** \`/healthz\` carries a \`tls\` field (other fields left out here):

\`\`\`json
{
  "status": "ok",
  "tls": {
    "notAfter": "2027-03-01T00:00:00.000Z",
    "daysLeft": 86.4,
    "lastReload": { "at": "2026-12-01T03:00:12.345Z", "outcome": "refused", "reason": "the key does not match the certificate" }
  }
}
\`\`\`

\`daysLeft\` is rounded down to a tenth of a day (2.99 days left shows \`2.9\`; negative once expired).
\`lastReload\` is the last reload attempt (\`SIGHUP\` or a change of the files): \`outcome\` \`reloaded\` or
\`refused\` with the \`reason\`, and \`null\` until the first one. \`/healthz\` stays \`ok\` after a refusal,
since the current certificate is still served: watch \`lastReload\` or the counter. \`/metrics\` has
\`wsguard_tls_certificate_expiry_timestamp_seconds\` (Unix time; alert on
\`wsguard_tls_certificate_expiry_timestamp_seconds - time() < 14 * 86400\`) and
\`wsguard_tls_reloads_total{outcome="reloaded"|"refused"}\`, both series exported from start-up at 0 (alert
on \`increase(wsguard_tls_reloads_total{outcome="refused"}[1h]) > 0\`). The log warns at start-up, after a
reload and every 12 hours when fewer than 14 days are left, and logs an error once the certificate has
expired.

**Plain \`http://\` to the TLS port** gets no answer: the connection is closed in the TLS handshake (curl:
\`Empty reply from server\`, browsers: \`ERR_EMPTY_RESPONSE\`). Node's TLS server offers no supported way to
answer it with a 400 instead (nodejs/node#23331). Use \`https://\` and \`wss://\`; to redirect \`http://\`
visitors, answer them on another port (a proxy, or port 80).

**Behind a TLS-terminating proxy instead.** Leave \`WSGUARD_TLS_CERT\` unset and let the proxy (nginx,
HAProxy, a cloud load balancer) hold the certificate and renew it:

- bind a loopback or private address, and set \`WSGUARD_TRUST_PROXY\` to the proxy's address(es) as the
  hub sees them: the non-loopback bind is allowed only then, and only then are \`X-Forwarded-For\` /
  \`X-Forwarded-Proto\` believed;
- \`WSGUARD_ALLOWED_ORIGINS\` lists the \`https://\` origins of your pages and \`WSGUARD_ALLOWED_HOSTS\`
  the public host name the proxy forwards;
- the proxy forwards \`Upgrade\`/\`Connection\` for \`/ws\`, reads longer than the 25 s heartbeat, and sets
  \`Strict-Transport-Security\` itself (the hub sends HSTS only when it serves TLS);
- give the proxy the same profile; for nginx: \`ssl_protocols TLSv1.2 TLSv1.3;\`,
  \`ssl_ciphers\` with the TLS 1.2 suites above joined by \`:\`, \`ssl_prefer_server_ciphers on;\`.

A complete nginx example is in [cluster.md](cluster.md#behind-nginx-or-another-load-balancer). Audit the
public \`wss://\` URL with \`wsguard audit\` to check what the proxy serves.
`;

export function configDoc(): string {
  return `# Configuration of \`wsguard serve\`

Set keys as environment variables, or in a JSON file named by \`WSGUARD_CONFIG\` (or \`--config FILE\`) using the file keys; the environment wins.
Every value is validated at start-up: a bad one stops the server with one line naming the key, e.g.
\`wsguard: invalid configuration: WSGUARD_PORT: a port number (0-65535)\`.
A \`WSGUARD_*\` variable that is not a key (nor one of the project's other variables: \`WSGUARD_CONFIG\`, \`WSGUARD_ADMIN_TOKEN\`,
\`WSGUARD_URL\`, \`WSGUARD_DEBUG\`, test and bench ones) is refused the same way, like an unknown key in the file, naming
the closest key (\`WSGUARD_IDLE_TIMOUT: unknown variable; did you mean WSGUARD_IDLE_TIMEOUT?\`); so is an empty value
(\`WSGUARD_IDLE_TIMEOUT=\`): unset a variable to get its default.

Binding a non-loopback address requires a real secret (or public key), an origin list, and either TLS or a trusted TLS-terminating proxy.
Without a secret the hub runs in **dev mode**: a random secret, demo tokens printed at start-up, loopback only.

${configTableMarkdown()}

Durations take a unit: \`500ms\`, \`30s\`, \`15m\`, \`24h\`, \`7d\` (\`0\` alone means off or unlimited). A bare number is refused:
\`WSGUARD_RETENTION_MAX_AGE=7\` could mean 7 days or 7 ms, and the wrong guess deletes history. Numbers are digits only
(no \`1e3\`, \`0x10\` or blanks), and \`WSGUARD_RETENTION_MAX_AGE\` is \`0\` or at least \`1m\`: a shorter retention deletes
events before a briefly disconnected client can resume.

A start-up failure is one line on stderr and an exit code: 2 for a configuration error (including a \`WSGUARD_DB\` whose
directory cannot be created or a file that is not an event log, and a missing optional package), 1 for a failure at run
time (the port is taken, Redis is unreachable). Under a supervisor, restart on 1 and not on 2 (see
[examples/wsguard.service](../examples/wsguard.service)).
${TLS_SECTION}`;
}

if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(new URL('../docs/configuration.md', import.meta.url), configDoc());
