// Placeholder until its issue lands: exists so the command table and the build are whole.
export async function run(_argv: string[]): Promise<number> {
  console.error('wsguard token: not implemented yet');
  return 2;
}
