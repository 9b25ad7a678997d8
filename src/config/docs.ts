/** Renders the configuration table of docs/configuration.md from CONFIG_KEYS. */
import { CONFIG_KEYS } from './keys.js';

export function configTableMarkdown(): string {
  const rows = Object.values(CONFIG_KEYS).map((k) => `| \`${k.env}\` | \`${k.file}\` | ${k.description} | ${k.defaultText} |`);
  return ['| environment variable | config file key | meaning | default |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
