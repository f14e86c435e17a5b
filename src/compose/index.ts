export { composeSchema, printComposedSchema, type ComposeInput, type ComposedSchema } from './compose.js';
export { createOperationPlanner, type ForwardPlan, type OperationPlanner } from './plan.js';
export { forwardableSources, gatewayResolvedFields } from './plan-inputs.js';
