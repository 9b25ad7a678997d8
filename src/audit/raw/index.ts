/** Raw WebSocket client for what `ws` will not do; one concern per file. */
export * from './frame-encoder.js';
export * from './frame-decoder.js';
export * from './handshake.js';
export * from './raw-connection.js';
export * from './target.js';
export * from './raw-handshake.js';
