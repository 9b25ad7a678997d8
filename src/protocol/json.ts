/**
 * Bounded JSON parsing for untrusted frames.
 *
 * JSON.parse itself is safe from prototype pollution (it defines `__proto__` as an own key),
 * but the objects it returns are not: a later spread, merge or `Object.assign` would pollute.
 * So after parsing we walk the value once, iteratively (no recursion for an attacker to
 * exhaust), and refuse forbidden keys and anything past the bounds.
 */
import { isWellFormed } from './paths.js';

export interface JsonLimits {
  /** Deepest nesting of objects/arrays; the top-level value is depth 1. */
  readonly maxDepth: number;
  /** Most keys in any one object. */
  readonly maxKeys: number;
  /** Most elements in any one array. */
  readonly maxArrayLength: number;
  /** Longest string value or key, in UTF-16 code units. */
  readonly maxStringLength: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = Object.freeze({
  maxDepth: 8,
  maxKeys: 64,
  maxArrayLength: 1024,
  maxStringLength: 8192,
});

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonFailure = 'syntax' | 'depth' | 'keys' | 'array_length' | 'string_length' | 'forbidden_key' | 'lone_surrogate';

export type JsonResult = { ok: true; value: unknown } | { ok: false; reason: JsonFailure };

export function parseBoundedJson(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): JsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'syntax' };
  }
  const reason = checkBounds(value, limits);
  return reason === null ? { ok: true, value } : { ok: false, reason };
}

/** Walks a parsed JSON value; returns the first bound it breaks, or null. */
export function checkBounds(root: unknown, limits: JsonLimits = DEFAULT_JSON_LIMITS): JsonFailure | null {
  const values: unknown[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v === 'string') {
      if (v.length > limits.maxStringLength) return 'string_length';
      // A `\ud800` escape decodes to a lone surrogate: stored as UTF-8 it would read back as U+FFFD,
      // so live and replayed events would differ. Refused anywhere in a message.
      if (!isWellFormed(v)) return 'lone_surrogate';
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth > limits.maxDepth) return 'depth';
    if (Array.isArray(v)) {
      if (v.length > limits.maxArrayLength) return 'array_length';
      for (let i = 0; i < v.length; i++) {
        values.push(v[i]);
        depths.push(depth + 1);
      }
      continue;
    }
    const keys = Object.keys(v);
    if (keys.length > limits.maxKeys) return 'keys';
    for (const k of keys) {
      if (FORBIDDEN_KEYS.has(k)) return 'forbidden_key';
      if (k.length > limits.maxStringLength) return 'string_length';
      if (!isWellFormed(k)) return 'lone_surrogate';
      values.push((v as Record<string, unknown>)[k]);
      depths.push(depth + 1);
    }
  }
  return null;
}
