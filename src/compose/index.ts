export { composeSchema, type ComposeInput, type ComposedSchema } from './compose.js';
