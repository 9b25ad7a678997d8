/**
 * Wire protocol v1: the envelope and every message's payload schema (zod, strict).
 * Client and server both import these; docs/protocol.md documents every type and payload.
 */
import { z } from 'zod';
import { isValidChannel } from './channels.js';
import { isSafeRelativePath, MAX_PATH_BYTES } from './paths.js';

export { isSafeRelativePath, pathProblem, type PathProblem } from './paths.js';

export { SUBPROTOCOL, BEARER_SUBPROTOCOL_PREFIX } from './constants.js';

export const Envelope = z.strictObject({
  type: z.string().min(1).max(32).regex(/^[a-z][a-z0-9_.]*$/),
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/).optional(),
  // Any JSON object; its route's schema checks it next. A loose object rather than a record: the
  // same values pass (JSON.parse makes only plain objects), at half the cost per message.
  payload: z.looseObject({}).optional(),
});
export type Envelope = z.infer<typeof Envelope>;

export const ChannelName = z.string().max(256).refine(isValidChannel, { message: 'invalid channel name' });

/** A relative path that is safe on POSIX and Windows and to display: the policy in ./paths.ts (docs/protocol.md, "Path policy"). */
export const FilePath = z.string().max(MAX_PATH_BYTES).refine(isSafeRelativePath, { message: 'invalid path' });
export const MimeType = z.string().max(255).regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/);
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const SubscribePayload = z.strictObject({ channel: ChannelName, since: Seq.optional() });
export const UnsubscribePayload = z.strictObject({ channel: ChannelName });
export const FileUploadPayload = z.strictObject({
  channel: ChannelName,
  path: FilePath,
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  mime: MimeType,
  sha256: Sha256Hex,
});
export const FileDeletePayload = z.strictObject({ channel: ChannelName, path: FilePath });
export const AuthRefreshPayload = z.strictObject({ token: z.string().min(1).max(8192) });
export const PingPayload = z.strictObject({});

export type SubscribePayload = z.infer<typeof SubscribePayload>;
export type UnsubscribePayload = z.infer<typeof UnsubscribePayload>;
export type FileUploadPayload = z.infer<typeof FileUploadPayload>;
export type FileDeletePayload = z.infer<typeof FileDeletePayload>;
export type AuthRefreshPayload = z.infer<typeof AuthRefreshPayload>;

/** Client → server payload schemas by type. */
export const CLIENT_MESSAGES = {
  subscribe: SubscribePayload,
  unsubscribe: UnsubscribePayload,
  file_upload: FileUploadPayload,
  file_delete: FileDeletePayload,
  'auth.refresh': AuthRefreshPayload,
  ping: PingPayload,
} as const;
export type ClientMessageType = keyof typeof CLIENT_MESSAGES;

// ---- server → client ----
export type FileEventKind = 'file_upload' | 'file_delete';

export interface FileEvent {
  channel: string;
  seq: number;
  kind: FileEventKind;
  path: string;
  size?: number;
  mime?: string;
  sha256?: string;
  /** Publisher's `sub`. */
  by: string;
  /** Server time, ISO 8601. */
  at: string;
  /** The channel log's epoch (see `subscribed`): a different one means the log was reset. */
  epoch?: string;
}

export type ServerMessage =
  | { type: 'ack'; id?: string; payload: { seq?: number } }
  | { type: 'error'; id?: string; payload: { code: string; message: string; field?: string } }
  /** `seq` is the channel's head; `epoch` identifies its log (absent while the channel has none). */
  | { type: 'subscribed'; id?: string; payload: { channel: string; seq: number; epoch?: string } }
  /** `reason` only when the server ended it (e.g. `forbidden`: a refreshed token no longer allows the channel). */
  | { type: 'unsubscribed'; id?: string; payload: { channel: string; reason?: 'forbidden' } }
  | { type: 'event'; payload: FileEvent }
  | { type: 'pong'; id?: string; payload: Record<string, never> }
  | { type: 'session.expiring'; payload: { exp: number } };

export type ServerMessageType = ServerMessage['type'];

/**
 * `ack` serialized from a template: byte for byte `JSON.stringify({ type: 'ack', payload, id })`
 * (id omitted when undefined). It runs once per accepted message: building the object and
 * stringifying it cost several times more (and more garbage) than two short stringifies.
 */
export function serializeAck(payload: { seq?: number }, id: string | undefined): string {
  const p = JSON.stringify(payload) as string | undefined;
  if (p === undefined) return JSON.stringify(id === undefined ? { type: 'ack', payload } : { type: 'ack', payload, id });
  return id === undefined ? `{"type":"ack","payload":${p}}` : `{"type":"ack","payload":${p},"id":${JSON.stringify(id)}}`;
}

/**
 * `message` with the request's correlation id, serialized: byte for byte
 * `JSON.stringify({ ...message, id })`. The spread copy takes JSON.stringify's slow path (about
 * 0.8 µs against 0.25 µs for the plain object), so the id is appended to the message's own JSON.
 */
export function serializeWithId(message: ServerMessage, id: string): string {
  const json = JSON.stringify(message) as string | undefined;
  // An own `id` keeps its place under the spread; anything that is not a plain `{…}` goes the long way.
  if (json === undefined || 'id' in message || json.length < 3 || json.charCodeAt(json.length - 1) !== 0x7d) return JSON.stringify({ ...message, id });
  return `${json.slice(0, -1)},"id":${JSON.stringify(id)}}`;
}
