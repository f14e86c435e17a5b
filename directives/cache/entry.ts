import { hash } from 'node:crypto';
import type { CacheScope } from '../../src/config/cache.js';

/** What is kept beside a stored body. */
export interface EntryMeta {
  /** Strong validator of the body: a quoted hash. */
  etag: string;
  /** Epoch ms when the response was produced. */
  storedAt: number;
  /** Seconds the entry is fresh. */
  maxAge: number;
  scope: CacheScope;
}

export interface Entry {
  meta: EntryMeta;
  /** The serialised response body, sent as is on a hit. */
  body: string;
}

/** Stored as `<meta JSON>\n<body>`: a hit parses the small header only. */
export function encodeEntry(entry: Entry): string {
  return `${JSON.stringify(entry.meta)}\n${entry.body}`;
}

export function decodeEntry(text: string): Entry | undefined {
  const newline = text.indexOf('\n');
  if (newline === -1) return undefined;
  try {
    const meta = JSON.parse(text.slice(0, newline)) as EntryMeta;
    if (typeof meta.etag !== 'string' || typeof meta.storedAt !== 'number' || typeof meta.maxAge !== 'number') return undefined;
    return { meta, body: text.slice(newline + 1) };
  } catch {
    return undefined;
  }
}

/** A strong ETag of a body. */
export function etagOf(body: string): string {
  return `"${hash('sha1', body, 'base64url')}"`;
}

/** Whether an `If-None-Match` header matches `etag` (weak comparison, as RFC 9110 asks for GET). */
export function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === bare);
}

/** Hashes the parts of a cache key (so no token, variable or principal id appears in a key). */
export function hashKey(parts: readonly string[]): string {
  let text = '';
  for (const part of parts) text += `${part}\u0000`;
  return hash('sha256', text, 'base64url');
}
