/** A system under test, started inside the server child. */
export interface StartedServer {
  readonly port: number;
  /** Notes the harness prints (settings changed from the defaults, and why). */
  readonly notes: string[];
  close(): Promise<void>;
}
