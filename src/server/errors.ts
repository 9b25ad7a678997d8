/** Raised by createGuard for a bad option; `key` is the dotted option path. */
export class WsguardConfigError extends Error {
  constructor(readonly key: string, detail: string) {
    super(`invalid option '${key}': ${detail}`);
    this.name = 'WsguardConfigError';
  }
}
