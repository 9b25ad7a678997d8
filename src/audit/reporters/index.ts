/** The five output formats. */
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';
import type { Reporter } from './types.js';

export const FORMATS = ['text', 'json', 'sarif', 'junit', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export const REPORTERS: Record<Format, Reporter> = { text: renderText, json: renderJson, sarif: renderSarif, junit: renderJunit, html: renderHtml };

export type { ReportInput, Reporter } from './types.js';
export { summaryLine } from './summary.js';
