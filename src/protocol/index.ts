export * from './close-codes.js';
export * from './errors.js';
export * from './json.js';
export * from './channels.js';
export * from './messages.js';
export * from './field-path.js';
