/** wsguard/client: isomorphic (browser + Node) client for the wsguard protocol v1. */
export { createClient } from './client.js';
export { ClientError, type ClientErrorCode } from './errors.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { jwtExpiry } from './token.js';
export { fetchTicket, type FetchTicketOptions } from './ticket.js';
export type { RequestOptions } from './requests.js';
export type {
  Ack,
  Client,
  ClientEvents,
  ClientOptions,
  ClientState,
  FileDeletePayload,
  FileEvent,
  FileUploadPayload,
  HistoryGoneInfo,
  MessageMap,
  SubscribeOptions,
  Subscription,
  SubscriptionStatus,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';
