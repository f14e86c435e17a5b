import {
  GraphQLError,
  Kind,
  execute,
  getVariableValues,
  isNonNullType,
  locatedError,
  type ExecutionArgs,
  type ExecutionResult,
  type OperationDefinitionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ForwardPlan, OperationPlanner } from '../../compose/plan.js';
import type { FastPath } from './fast-path.js';

/**
 * Runs an operation that one source answers alone by sending it to that source as it is, instead
 * of delegating field by field. Runs after every policy's onExecute (it is the last plugin), so
 * auth, rate limits and the response cache apply exactly as on the delegated path.
 */
export function useForwardPlans(planner: () => OperationPlanner | undefined, fastPath?: FastPath): Plugin {
  return {
    onExecute({ args, setExecuteFn }) {
      const plan = planner()?.(args.document, args.operationName);
      const query = (args.contextValue as { params?: { query?: unknown } }).params?.query;
      if (plan !== undefined) setExecuteFn((executionArgs) => executeForwarded(plan, executionArgs));
      if (fastPath !== undefined && typeof query === 'string') fastPath.remember(query, args.operationName ?? undefined, plan, args.document);
    },
  };
}

async function executeForwarded(plan: ForwardPlan, args: ExecutionArgs): Promise<ExecutionResult> {
  const coerced = getVariableValues(args.schema, plan.operation.variableDefinitions ?? [], args.variableValues ?? {});
  if (coerced.errors) return { errors: coerced.errors };
  const { executor, schema } = plan.subschema;
  if (executor === undefined) {
    return execute({ ...args, schema, document: plan.document }) as Promise<ExecutionResult>;
  }
  try {
    return (await executor({
      document: plan.document,
      variables: args.variableValues ?? undefined,
      operationName: plan.operation.name?.value,
      operationType: plan.operation.operation,
      context: args.contextValue as Record<string, unknown>,
    })) as ExecutionResult;
  } catch (error) {
    return failedRootFields(plan, args, error);
  }
}

/** What delegation would answer when the source fails: each root field null with the error. */
export function failedRootFields(plan: ForwardPlan, args: ExecutionArgs, error: unknown): ExecutionResult {
  const root = plan.operation.operation === 'mutation' ? args.schema.getMutationType() : args.schema.getQueryType();
  const data: Record<string, unknown> = {};
  const errors: GraphQLError[] = [];
  let nullData = false;
  for (const field of rootFields(plan.operation)) {
    const key = field.alias?.value ?? field.name.value;
    if (field.name.value === '__typename') {
      data[key] = root?.name;
      continue;
    }
    data[key] = null;
    errors.push(locatedError(error, [field], [key]));
    if (isNonNullType(root?.getFields()[field.name.value]?.type)) nullData = true;
  }
  return { data: nullData ? null : data, errors };
}

function rootFields(operation: OperationDefinitionNode) {
  return operation.selectionSet.selections.flatMap((selection) => (selection.kind === Kind.FIELD ? [selection] : []));
}
