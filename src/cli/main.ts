#!/usr/bin/env node
/**
 * `wsguard <command>`: dispatches to one module per command, loaded lazily so
 * `wsguard audit` never loads the server and `wsguard serve` never loads the auditor.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  serve: { summary: 'run the file-event hub', load: () => import('./serve.js') },
  audit: { summary: 'audit a WebSocket endpoint (ws:// or wss://)', load: () => import('./audit.js') },
  token: { summary: 'mint a development JWT for the configured secret', load: () => import('./token.js') },
  lint: { summary: 'check WebSocket code for security mistakes (ESLint rules)', load: () => import('./lint.js') },
  revoke: { summary: 'revoke a subject or a token on a running hub (admin API)', load: () => import('./revoke.js') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: wsguard <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'wsguard <command> --help' for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`wsguard: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  return (await command.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    // Last resort: one line, no stack (set WSGUARD_DEBUG=1 for the stack).
    console.error(`wsguard: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.WSGUARD_DEBUG) console.error(err);
    process.exitCode = 2;
  },
);
