/**
 * Operator inputs the AUTHZ checks need that AuditOptions does not carry yet; they ride on
 * the options object as extra keys until the engine/CLI adds them: --priv-message (repeatable),
 * --priv-identity-* (a high-privilege session), --subscribe-template, --own-id, --foreign-id,
 * --mass-assign-message, --read-message.
 */
import { defaultCredentials } from '../../options.js';
import type { AuditOptions, Credentials } from '../../types.js';

export interface AuthzOptions {
  /** AUTHZ-01: privileged message templates, sent over the operator's (low-privilege) session. */
  privMessages: string[];
  /** AUTHZ-01: a high-privilege session whose replies show what "executed" looks like. */
  privIdentity?: Credentials;
  /** AUTHZ-02: subscribe/join message with an `{{id}}` placeholder. */
  subscribeTemplate?: string;
  /** AUTHZ-02: an id the operator's session owns, and one that belongs to the second identity. */
  ownId?: string;
  foreignId?: string;
  /** AUTHZ-03: a legitimate JSON object message to resend with extra fields (default: first --message). */
  massAssignMessage?: string;
  /** AUTHZ-03: a read that shows the stored state afterwards (optional). */
  readMessage?: string;
}

type Given = AuditOptions & { privMessages?: unknown; privIdentity?: Partial<Credentials>; subscribeTemplate?: unknown; ownId?: unknown; foreignId?: unknown; massAssignMessage?: unknown; readMessage?: unknown };

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

export function authzOptions(o: AuditOptions): AuthzOptions {
  const g = o as Given;
  return {
    privMessages: Array.isArray(g.privMessages) ? g.privMessages.filter((m): m is string => typeof m === 'string' && m.length > 0) : [],
    privIdentity: g.privIdentity ? { ...defaultCredentials(), ...g.privIdentity } : undefined,
    subscribeTemplate: str(g.subscribeTemplate),
    ownId: str(g.ownId),
    foreignId: str(g.foreignId),
    massAssignMessage: str(g.massAssignMessage) ?? o.messages[0],
    readMessage: str(g.readMessage),
  };
}
