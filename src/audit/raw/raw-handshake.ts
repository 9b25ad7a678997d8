/**
 * One raw opening handshake against an endpoint: connect, send the request (at once or in
 * slices), read the bounded answer. On 101 the connection can stay open for frame probes.
 */
import { buildHandshakeRequest, expectedAccept, generateKey, header, type HandshakeRequestSpec } from './handshake.js';
import { RawConnection, type HttpResponse, type RawConnectOptions } from './raw-connection.js';
import type { Endpoint } from './target.js';

export interface RawHandshakeOptions {
  /** Request spec; `path`/`host` default to the endpoint's. */
  request?: Partial<HandshakeRequestSpec>;
  /** Bytes to send instead of a built request. */
  rawRequest?: Buffer;
  /** Send the request `sliceBytes` at a time, `sliceDelayMs` apart. */
  sliceBytes?: number;
  sliceDelayMs?: number;
  keepOpen?: boolean;
  timeoutMs?: number;
  maxBodyBytes?: number;
  connect?: Partial<RawConnectOptions>;
  signal?: AbortSignal;
}

export interface RawHandshakeResult {
  response: HttpResponse;
  upgraded: boolean;
  /** Sec-WebSocket-Accept matched the key we sent (undefined when no key was sent). */
  acceptValid?: boolean;
  /** Open connection, only on 101 with keepOpen. The caller closes it. */
  connection?: RawConnection;
  requestBytes: Buffer;
}

export async function rawHandshake(ep: Endpoint, opts: RawHandshakeOptions = {}): Promise<RawHandshakeResult> {
  const spec: HandshakeRequestSpec = { path: ep.path, host: ep.hostHeader, ...opts.request };
  const builtKey = spec.key === undefined ? generateKey() : spec.key;
  const requestBytes = opts.rawRequest ?? buildHandshakeRequest({ ...spec, key: builtKey });
  const timeoutMs = opts.timeoutMs ?? 5000;
  const conn = await RawConnection.open({ host: ep.host, port: ep.port, tls: ep.tls, timeoutMs, signal: opts.signal, ...opts.connect });
  try {
    if (opts.sliceBytes) await conn.writeSlowly(requestBytes, opts.sliceBytes, opts.sliceDelayMs ?? 10);
    else conn.write(requestBytes);
    const response = await conn.readResponse({ timeoutMs, maxBodyBytes: opts.maxBodyBytes });
    const upgraded = response.status === 101;
    const accept = header(response, 'sec-websocket-accept');
    const acceptValid = upgraded && typeof builtKey === 'string' && !opts.rawRequest ? accept === expectedAccept(builtKey) : undefined;
    if (upgraded && opts.keepOpen) return { response, upgraded, acceptValid, connection: conn, requestBytes };
    if (upgraded) conn.close();
    else conn.destroy();
    return { response, upgraded, acceptValid, requestBytes };
  } catch (e) {
    conn.destroy();
    throw e;
  }
}
