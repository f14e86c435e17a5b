export * from './schema.js';
export { ConfigError, loadConfigFile, parseConfig, type LoadConfigOptions } from './load.js';
export { configJsonSchema } from './json-schema.js';
