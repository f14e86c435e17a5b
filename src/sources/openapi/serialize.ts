/**
 * Parameter serialisation per the OpenAPI `style`/`explode` rules, each compiled once
 * per parameter into a small function. Path values are percent-encoded so that no
 * argument can change the path: `/` becomes `%2F`, and a value made only of dots
 * (`.`, `..`) is encoded as `%2E` so it can never become a dot-segment.
 */
import { badArgument } from './field-errors.js';

/** Appends `key=value` pairs for one query parameter value to `out`. */
export type QuerySerializer = (value: unknown, out: string[]) => void;
export type ValueSerializer = (value: unknown) => string;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

function entries(value: unknown): [string, unknown][] {
  return typeof value === 'object' && value !== null ? Object.entries(value).filter(([, v]) => v != null) : [];
}

const enc = encodeURIComponent;
const DOTS_ONLY = /^\.+$/;

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Path parameters: style `simple` (the only one commonly used); `explode` only matters for objects. */
export function pathSerializer(argName: string, explode: boolean, json: boolean): ValueSerializer {
  return (value) => {
    let encoded: string;
    if (json) encoded = enc(JSON.stringify(value));
    else if (Array.isArray(value)) encoded = value.map((item) => enc(text(item))).join(',');
    else if (isPlainObject(value)) {
      encoded = entries(value)
        .map(([k, v]) => (explode ? `${enc(k)}=${enc(text(v))}` : `${enc(k)},${enc(text(v))}`))
        .join(',');
    } else encoded = enc(text(value));
    if (encoded === '') throw badArgument(argName, 'must not be empty');
    return DOTS_ONLY.test(encoded) ? encoded.replace(/\./g, '%2E') : encoded;
  };
}

/**
 * Query parameters. `form` (default) with `explode: true` (default) repeats the key for
 * arrays (`ids=1&ids=2`) and spreads objects (`a=1&b=2`); `explode: false` joins with
 * commas (`ids=1,2`). `spaceDelimited`/`pipeDelimited` join arrays with `%20`/`|`;
 * `deepObject` gives `key[prop]=value`. `content`-typed parameters are sent as JSON.
 */
export function querySerializer(name: string, style: string, explode: boolean, json: boolean): QuerySerializer {
  const key = enc(name);
  if (json) return (value, out) => void out.push(`${key}=${enc(JSON.stringify(value))}`);
  const delimiter = style === 'spaceDelimited' ? '%20' : style === 'pipeDelimited' ? '|' : ',';
  return (value, out) => {
    if (Array.isArray(value)) {
      const items = value.filter((item) => item != null);
      if (items.length === 0) return;
      if (explode && style === 'form') for (const item of items) out.push(`${key}=${enc(text(item))}`);
      else out.push(`${key}=${items.map((item) => enc(text(item))).join(delimiter)}`);
    } else if (isPlainObject(value)) {
      const pairs = entries(value);
      if (style === 'deepObject') for (const [k, v] of pairs) out.push(`${key}[${enc(k)}]=${enc(text(v))}`);
      else if (explode) for (const [k, v] of pairs) out.push(`${enc(k)}=${enc(text(v))}`);
      else if (pairs.length > 0) out.push(`${key}=${pairs.map(([k, v]) => `${enc(k)},${enc(text(v))}`).join(',')}`);
    } else {
      out.push(`${key}=${enc(text(value))}`);
    }
  };
}

const UNSAFE_HEADER_VALUE = /[\0\r\n]/;

/** Header parameters: style `simple`; arrays comma-joined. Control characters are refused. */
export function headerSerializer(argName: string, explode: boolean, json: boolean): ValueSerializer {
  return (value) => {
    let result: string;
    if (json) result = JSON.stringify(value);
    else if (Array.isArray(value)) result = value.map(text).join(',');
    else if (isPlainObject(value)) {
      result = entries(value)
        .map(([k, v]) => (explode ? `${k}=${text(v)}` : `${k},${text(v)}`))
        .join(',');
    } else result = text(value);
    if (UNSAFE_HEADER_VALUE.test(result)) {
      throw badArgument(argName, 'contains characters not allowed in a header');
    }
    return result;
  };
}
