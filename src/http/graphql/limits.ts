import type { Plugin } from 'graphql-yoga';
import {
  GraphQLError,
  Kind,
  parse,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { GraphqlConfig } from '../../config/index.js';
import type { ErrorCode } from '../../errors.js';

type Limits = GraphqlConfig['limits'];

function limitError(code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/**
 * Depth, alias, token, directive and root-field limits, checked while parsing and validating,
 * so a document over a limit is rejected before any upstream call. Both steps are cached per
 * document by Yoga, so the checks cost nothing on repeated documents.
 */
export function useQueryLimits(limits: Limits): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && error.message.includes('tokens. Parsing aborted')) {
            throw limitError('MAX_TOKENS_LIMIT', `Document has more than ${limits.maxTokens} tokens`);
          }
          throw error;
        }
      });
    },
    onValidate({ addValidationRule }) {
      addValidationRule((context: ValidationContext) => limitsRule(context, limits));
    },
  };
}

function limitsRule(context: ValidationContext, limits: Limits): ASTVisitor {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let aliases = 0;
  let directives = 0;
  return {
    Field(node) {
      if (node.alias !== undefined && ++aliases === limits.maxAliases + 1) {
        context.reportError(limitError('MAX_ALIASES_LIMIT', `Document has more than ${limits.maxAliases} aliases`));
      }
    },
    Directive() {
      if (++directives === limits.maxDirectives + 1) {
        context.reportError(limitError('MAX_DIRECTIVES_LIMIT', `Document has more than ${limits.maxDirectives} directives`));
      }
    },
    OperationDefinition(node) {
      const roots = countRootFields(node.selectionSet, fragments, new Set());
      if (roots > limits.maxRootFields) {
        context.reportError(limitError('MAX_ROOT_FIELDS_LIMIT', `Operation has more than ${limits.maxRootFields} root fields`));
      }
      const depth = measureDepth(node.selectionSet, fragments, new Set(), limits.maxDepth);
      if (depth > limits.maxDepth) {
        context.reportError(limitError('MAX_DEPTH_LIMIT', `Operation is deeper than ${limits.maxDepth} levels`));
      }
    },
  };
}

/** Depth with fragments expanded; stops counting once past the limit, and never loops on cycles. */
function measureDepth(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  visiting: Set<string>,
  limit: number,
): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      depth = selection.selectionSet ? 1 + measureDepth(selection.selectionSet, fragments, visiting, limit - 1) : 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = measureDepth(selection.selectionSet, fragments, visiting, limit);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment === undefined || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      depth = measureDepth(fragment.selectionSet, fragments, visiting, limit);
      visiting.delete(fragment.name.value);
    }
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
  }
  return deepest;
}

function countRootFields(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  visiting: Set<string>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, fragments, visiting);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment === undefined || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      count += countRootFields(fragment.selectionSet, fragments, visiting);
      visiting.delete(fragment.name.value);
    }
  }
  return count;
}
