// Regenerates docs/configuration.md from src/config/keys.ts (run: npx tsx scripts/gen-config-docs.ts).
import { writeFileSync } from 'node:fs';
import { configTableMarkdown } from '../src/config/docs.js';

export function configDoc(): string {
  return `# Configuration of \`wsguard serve\`

Set keys as environment variables, or in a JSON file named by \`WSGUARD_CONFIG\` (or \`--config FILE\`) using the file keys; the environment wins.
Every value is validated at start-up: a bad one stops the server with one line naming the key, e.g.
\`wsguard: invalid configuration: WSGUARD_PORT: a port number (0-65535)\`.

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
`;
}

if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(new URL('../docs/configuration.md', import.meta.url), configDoc());
