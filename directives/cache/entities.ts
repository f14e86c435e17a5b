import { entityTag, purgeTags, typeTag, unknownIdTag } from '../../src/stores/cache-store.js';
import type { EntityNode } from './analyse.js';

/** Past this many tags an entry is tagged by type only (still purged by any of its entities). */
export const MAX_ENTITY_TAGS = 500;

/**
 * Tags of a cached query result: `E:Type:id` for each entity with its id selected, `U:Type` for
 * an entity without (purged by any id of the type), `T:Type` for every type present; only for
 * the types `tagged` names (default: all).
 */
export function entryTags(root: EntityNode, data: unknown, tagged?: ReadonlySet<string>): string[] {
  if (tagged !== undefined && tagged.size === 0) return [];
  const tags = new Set<string>();
  const types = new Set<string>();
  let overflow = false;
  visit(root, data, true, (type, id) => {
    if (tagged !== undefined && !tagged.has(type)) return;
    types.add(type);
    if (overflow) return;
    tags.add(id === undefined ? unknownIdTag(type) : entityTag(type, id));
    if (tags.size > MAX_ENTITY_TAGS) overflow = true;
  });
  if (overflow) {
    tags.clear();
    for (const type of types) tags.add(unknownIdTag(type));
  }
  for (const type of types) tags.add(typeTag(type));
  return [...tags];
}

/** Tags to purge after a mutation: every entity (type and id) its result returns. */
export function mutationPurgeTags(root: EntityNode, data: unknown): string[] {
  const tags = new Set<string>();
  visit(root, data, true, (type, id) => {
    if (id !== undefined) for (const tag of purgeTags(type, id)) tags.add(tag);
  });
  return [...tags];
}

type Visitor = (type: string, id: string | undefined) => void;

function visit(node: EntityNode, value: unknown, isRoot: boolean, onEntity: Visitor): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) visit(node, item, false, onEntity);
    return;
  }
  const object = value as Record<string, unknown>;
  if (!isRoot) {
    const typename = node.typenameKey === undefined ? undefined : object[node.typenameKey];
    const types = typeof typename === 'string' ? [typename] : node.types;
    const id = idOf(node, object);
    for (const type of types) onEntity(type, id);
  }
  for (const [key, child] of node.children) visit(child, object[key], false, onEntity);
}

function idOf(node: EntityNode, object: Record<string, unknown>): string | undefined {
  for (const key of node.idKeys) {
    const id = object[key];
    if (typeof id === 'string' || typeof id === 'number') return String(id);
  }
  return undefined;
}
