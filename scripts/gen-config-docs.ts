// Regenerates docs/configuration.md from src/config/keys.ts (run: npx tsx scripts/gen-config-docs.ts).
import { writeFileSync } from 'node:fs';
import { configTableMarkdown } from '../src/config/docs.js';

export function configDoc(): string {
  return `# Configuration of \`wsguard serve\`

Set keys as environment variables, or in a JSON file named by \`WSGUARD_CONFIG\` (or \`--config FILE\`) using the file keys; the environment wins.
Every value is validated at start-up: a bad one stops the server with one line naming the key, e.g.
\`wsguard: invalid configuration: WSGUARD_PORT: Invalid input: expected number, received NaN\`.

Binding a non-loopback address requires a real secret (or public key), an origin list, and either TLS or a trusted TLS-terminating proxy.
Without a secret the hub runs in **dev mode**: a random secret, demo tokens printed at start-up, loopback only.

${configTableMarkdown()}

Durations take a unit: \`500ms\`, \`30s\`, \`15m\`, \`24h\`, \`7d\`.
`;
}

if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(new URL('../docs/configuration.md', import.meta.url), configDoc());
