/**
 * Stage 'request': a well-formed RFC 6455 opening handshake (HTTP/1.1 GET, Upgrade: websocket, version 13,
 * a 16-byte base64 key). Checked here so ws never answers with its own fingerprintable messages.
 */
import { refuse, type GateStage } from './types.js';

const KEY_RE = /^[+/0-9A-Za-z]{22}==$/;

export function requestStage(): GateStage {
  return {
    name: 'request',
    run: ({ req }) => {
      if (req.method !== 'GET') return refuse(400, 'bad_request');
      // RFC 6455 §4.2.1: the opening handshake is an HTTP/1.1 (or later) GET.
      if (req.httpVersionMajor === 1 && req.httpVersionMinor < 1) return refuse(400, 'bad_request');
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return refuse(400, 'bad_request');
      if (req.headers['sec-websocket-version'] !== '13') return refuse(426, 'bad_version', { 'Sec-WebSocket-Version': '13' });
      const key = req.headers['sec-websocket-key'];
      if (typeof key !== 'string' || !KEY_RE.test(key.trim())) return refuse(400, 'bad_request');
      return undefined;
    },
  };
}
