/**
 * `resolveType` for unions made from oneOf/anyOf. With a discriminator: its property's
 * value through `mapping` (or, by default, the component name). Otherwise, or when the
 * value is unknown: the member whose required properties are all present, preferring
 * the one with the most of its properties present; ties go to the first member.
 */
import type { GraphQLObjectType, GraphQLTypeResolver } from 'graphql';
import type { BuildContext } from './context.js';
import { resolvePointer } from './refs.js';
import type { ObjectShape, Shape } from './shapes.js';

interface Member {
  shape: ObjectShape;
  type: GraphQLObjectType;
}

export function unionResolver(
  context: BuildContext,
  union: Extract<Shape, { kind: 'union' }>,
  members: Member[],
): GraphQLTypeResolver<unknown, unknown> {
  const byDiscriminator = new Map<string, string>();
  const discriminator = union.discriminator;
  if (discriminator) {
    for (const member of members) {
      const component = context.components.get(member.shape.key);
      if (component) byDiscriminator.set(component.original, member.type.name);
    }
    for (const [value, target] of Object.entries(discriminator.mapping)) {
      const ref = target.startsWith('#') ? target : `#/components/schemas/${target}`;
      let schema: unknown;
      try {
        schema = resolvePointer(context.doc, ref);
      } catch {
        continue;
      }
      const member = members.find((candidate) => candidate.shape.key === schema);
      if (member) byDiscriminator.set(value, member.type.name);
    }
  }
  const candidates = members.map((member) => ({
    name: member.type.name,
    required: [...member.shape.required],
    properties: member.shape.properties.map(([key]) => key),
  }));
  const fallback = candidates[0]?.name;

  return (value) => {
    if (typeof value !== 'object' || value === null) return fallback;
    const record = value as Record<string, unknown>;
    if (discriminator) {
      const tag = record[discriminator.propertyName];
      const name = typeof tag === 'string' ? byDiscriminator.get(tag) : undefined;
      if (name) return name;
    }
    let best = fallback;
    let bestScore = -1;
    for (const candidate of candidates) {
      const complete = candidate.required.every((key) => record[key] !== undefined);
      let score = complete ? 1_000_000 : 0;
      for (const key of candidate.properties) if (record[key] !== undefined) score++;
      if (score > bestScore) {
        best = candidate.name;
        bestScore = score;
      }
    }
    return best;
  };
}
