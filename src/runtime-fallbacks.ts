import { GraphQLError, isObjectType, type ExecutionResult, print, responsePathAsArray, type FieldNode, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { mapSchema, MapperKind } from '@graphql-tools/utils';
import { principalKey } from '../directives/principal-key.js';
import type { FieldFallbackConfig } from './config/fallbacks.js';
import { gatewayContextOf } from './context.js';
import { forbidStoring } from './stores/cache-hints.js';

/** Codes of an upstream call that failed; only these are answered by a fallback (never 4xx or auth errors). */
const UPSTREAM_FAILURES = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_ERROR', 'UPSTREAM_CIRCUIT_OPEN', 'GATEWAY_TIMEOUT']);
const NOTES = Symbol('junction.fallbacks');

/** One entry of `extensions.fallbacks` in a response. */
export interface FallbackNote {
  path: (string | number)[];
  /** `value`: the configured static value; `lastGood`: an earlier good answer. */
  kind: 'value' | 'lastGood';
  /** Why the field's upstream call failed. */
  code: string;
  /** Age of a `lastGood` answer, in ms. */
  ageMs?: number;
}

export interface FieldFallbacks {
  schema: GraphQLSchema;
  /** Adds `extensions.fallbacks` to responses where a fallback answered; undefined when none is configured. */
  plugin: Plugin | undefined;
}

/** The result with `extensions.fallbacks` when a fallback answered during its execution with `context`. */
export function withFallbackNotes(result: ExecutionResult, context: unknown): ExecutionResult {
  const notes = (context as { [NOTES]?: FallbackNote[] })[NOTES];
  return notes === undefined ? result : { ...result, extensions: { ...result.extensions, fallbacks: notes } };
}

/** Wraps the resolvers of the configured fields; an unknown coordinate is a build error. */
export function applyFieldFallbacks(
  schema: GraphQLSchema,
  fallbacks: Readonly<Record<string, FieldFallbackConfig>>,
  now: () => number,
): FieldFallbacks {
  const coordinates = Object.keys(fallbacks);
  if (coordinates.length === 0) return { schema, plugin: undefined };
  for (const coordinate of coordinates) {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    if (type === undefined || !isObjectType(type) || type.getFields()[fieldName] === undefined) {
      throw new Error(`fallbacks: "${coordinate}" is not a field of the composed schema`);
    }
  }
  const mapped = mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const fallback = fallbacks[`${typeName}.${fieldName}`];
      return fallback === undefined ? field : { ...field, resolve: withFallback(field.resolve, fallback, now) };
    },
  });
  return { schema: mapped, plugin: useFallbackNotes() };
}

function withFallback(resolve: GraphQLFieldResolver<unknown, unknown> | undefined, fallback: FieldFallbackConfig, now: () => number): GraphQLFieldResolver<unknown, unknown> {
  const original = resolve ?? ((source: unknown, _args, _context, info) => (source as Record<string, unknown> | null)?.[info.fieldName]);
  const kept = fallback.lastGood ? createLastGood(fallback.maxEntries) : undefined;
  return async function resolveWithFallback(source, args, context, info) {
    let value: unknown;
    let thrown = false;
    try {
      value = await original(source, args, context, info);
    } catch (error) {
      value = error;
      thrown = true;
    }
    const key = kept === undefined ? '' : lastGoodKey(info.fieldNodes, args, context);
    const code = value instanceof Error ? failureCode(value) : undefined;
    if (code === undefined) {
      if (!(value instanceof Error)) kept?.set(key, { value, at: now() });
      if (thrown) throw value;
      return value;
    }
    const good = kept?.get(key);
    const age = good === undefined ? undefined : now() - good.at;
    const note = { path: responsePathAsArray(info.path), code };
    if (good !== undefined && age! <= fallback.maxAgeMs) return served(context, { ...note, kind: 'lastGood', ageMs: age }, good.value);
    if (fallback.value !== undefined) return served(context, { ...note, kind: 'value' }, fallback.value);
    if (thrown) throw value;
    return value;
  };
}

/** A fallback answer stands in for a failure: noted in the response, and never cached. */
function served(context: unknown, note: FallbackNote, value: unknown): unknown {
  forbidStoring(context);
  const holder = context as { [NOTES]?: FallbackNote[] };
  (holder[NOTES] ??= []).push(note);
  return value;
}

/** The upstream failure code carried by an error (through GraphQL wrapping and aggregates), if any. */
function failureCode(error: Error): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { extensions?: { code?: unknown } }).extensions?.code ?? (current as { code?: unknown }).code;
    if (typeof code === 'string' && UPSTREAM_FAILURES.has(code)) return code;
    if (current instanceof AggregateError) current = current.errors[0];
    else if (current instanceof GraphQLError) current = current.originalError;
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const selections = new WeakMap<readonly FieldNode[], string>();

/**
 * Same field selection, same arguments, same caller (its principal within its auth method, and
 * the identity headers its sources were sent): never one caller's data for another, nor a
 * broader token's answer for a narrower one.
 */
function lastGoodKey(fieldNodes: readonly FieldNode[], args: unknown, context: unknown): string {
  let selection = selections.get(fieldNodes);
  if (selection === undefined) {
    selection = fieldNodes.map((node) => (node.selectionSet ? print(node.selectionSet) : '')).join('|');
    selections.set(fieldNodes, selection);
  }
  const state = gatewayContextOf(context)?.policy;
  const principal = state?.principal === undefined ? '' : principalKey(state.principal);
  const identity = state?.identity === undefined ? '' : JSON.stringify(state.identity.headers);
  return `${principal}\n${identity}\n${JSON.stringify(args)}\n${selection}`;
}

interface Kept {
  value: unknown;
  at: number;
}

/** A bounded LRU (Map insertion order). */
function createLastGood(maxEntries: number): { get(key: string): Kept | undefined; set(key: string, kept: Kept): void } {
  const entries = new Map<string, Kept>();
  return {
    get(key) {
      const kept = entries.get(key);
      if (kept !== undefined) {
        entries.delete(key);
        entries.set(key, kept);
      }
      return kept;
    },
    set(key, kept) {
      entries.delete(key);
      entries.set(key, kept);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
  };
}

function useFallbackNotes(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const noted = withFallbackNotes(result, args.contextValue);
          if (noted !== result) setResult(noted);
        },
      };
    },
  };
}
