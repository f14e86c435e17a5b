#!/usr/bin/env node
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { composeSchema } from './compose/index.js';
import { ConfigError, configJsonSchema, loadConfigFile } from './config/index.js';
import { createGateway, SourceLoadError } from './gateway.js';
import { createLogger } from './logger.js';
import { loadSources } from './sources/index.js';
import { stopOnSignals } from './start.js';
import { closeUpstreams, createUpstreams } from './upstream/index.js';

const USAGE = `Usage: junction <command> [options]

Commands:
  start     [--config gateway.yaml]                 run the gateway
  compose   [--config gateway.yaml] [--out FILE]    print the composed SDL (or write it)
  validate  [FILE]                                  check a config without starting
  schema    [--out FILE]                            print the config's JSON Schema

Exit codes: 0 ok, 1 runtime failure, 2 invalid config or usage.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const configFile = resolve(values.config ?? rest[0] ?? 'gateway.yaml');
  switch (command) {
    case 'start':
      return start(configFile);
    case 'compose':
      return compose(configFile, values.out);
    case 'validate':
      await loadConfigFile(configFile);
      console.log(`${configFile} is valid`);
      return 0;
    case 'schema':
      return output(`${JSON.stringify(configJsonSchema(), null, 2)}\n`, values.out);
    default:
      console.error(`Unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function start(configFile: string): Promise<number> {
  const logger = createLogger();
  const gateway = await createGateway(await loadConfigFile(configFile), { logger });
  const address = await gateway.listen();
  stopOnSignals(gateway, logger);
  logger.info({ url: `http://localhost:${address.port}${gateway.config.graphql.path}` }, 'gateway listening');
  return -1;
}

async function compose(configFile: string, out: string | undefined): Promise<number> {
  const config = await loadConfigFile(configFile);
  const upstreams = createUpstreams(config.upstreams);
  try {
    const sources = await loadSources(config.sources, upstreams);
    const failed = sources.filter((source) => source.subschema === undefined);
    if (failed.length > 0) throw new SourceLoadError(failed);
    const composed = await composeSchema({ sources, links: config.links, typeDefFiles: config.typeDefs });
    return output(composed.sdl, out);
  } finally {
    await closeUpstreams(upstreams);
  }
}

async function output(text: string, out: string | undefined): Promise<number> {
  if (out === undefined) {
    process.stdout.write(text);
    return 0;
  }
  await mkdir(dirname(resolve(out)), { recursive: true });
  await writeFile(out, text);
  console.error(`wrote ${out}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
