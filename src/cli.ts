#!/usr/bin/env node
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createPolicyEngine } from '../directives/index.js';
import { composeSchema, printComposedSchema } from './compose/index.js';
import { ConfigError, configJsonSchema, loadConfigFile } from './config/index.js';
import { createGateway, SourceLoadError } from './gateway.js';
import { createLogger, silentLogger } from './logger.js';
import { loadSources } from './sources/index.js';
import { loadVersionedConfig } from './reload.js';
import { reloadOnTriggers, stopOnSignals } from './start.js';
import { closeUpstreams, createUpstreams } from './upstream/index.js';
import { tuneV8ForServing } from './v8-tuning.js';

const USAGE = `Usage: junction <command> [options]

Commands:
  start     [--config gateway.yaml] [--pid-file F]  run the gateway (SIGHUP reloads the config)
  reload    [--config gateway.yaml] --pid-file F    validate the config, then ask that gateway to reload it
  compose   [--config gateway.yaml] [--out FILE]    print the composed SDL (or write it)
  validate  [FILE]                                  check a config without starting
  schema    [--out FILE]                            print the config's JSON Schema

Exit codes: 0 ok, 1 runtime failure, 2 invalid config or usage.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' }, 'pid-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const configFile = resolve(values.config ?? rest[0] ?? 'gateway.yaml');
  switch (command) {
    case 'start':
      return start(configFile, values['pid-file']);
    case 'reload':
      return reload(configFile, values['pid-file']);
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

async function start(configFile: string, pidFile: string | undefined): Promise<number> {
  tuneV8ForServing();
  const logger = createLogger();
  const { config, version } = await loadVersionedConfig(configFile);
  const gateway = await createGateway(config, { logger, configFile, version });
  const address = await gateway.listen();
  const triggers = reloadOnTriggers(gateway, configFile, logger);
  if (pidFile !== undefined) await writeFile(pidFile, `${process.pid}\n`);
  stopOnSignals(gateway, logger, async () => {
    triggers.close();
    if (pidFile !== undefined) await rm(pidFile, { force: true });
  });
  logger.info({ url: `http://localhost:${address.port}${gateway.config.graphql.path}` }, 'gateway listening');
  return -1;
}

/** Validates the config file here (exit 2 if invalid), then sends SIGHUP to the gateway of `--pid-file`. */
async function reload(configFile: string, pidFile: string | undefined): Promise<number> {
  if (pidFile === undefined) {
    console.error('reload needs --pid-file FILE (the one given to `junction start`)');
    return 2;
  }
  await loadConfigFile(configFile);
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${pidFile} holds no process id`);
  process.kill(pid, 'SIGHUP');
  console.log(`asked gateway ${pid} to reload ${configFile}; its log and /readyz (configVersion, reloads) show the outcome`);
  return 0;
}

async function compose(configFile: string, out: string | undefined): Promise<number> {
  const config = await loadConfigFile(configFile);
  const upstreams = createUpstreams(config.upstreams);
  try {
    const sources = await loadSources(config.sources, upstreams);
    const failed = sources.filter((source) => source.subschema === undefined);
    if (failed.length > 0) throw new SourceLoadError(failed);
    // The schema clients are served: the policies' directive definitions and transforms included.
    const policies = createPolicyEngine(config, { logger: silentLogger(), now: Date.now });
    try {
      const composed = await composeSchema({ sources, links: config.links, typeDefFiles: config.typeDefs, typeDefs: policies.typeDefs });
      return output(printComposedSchema(policies.transform(composed.schema, { missingSources: [] })), out);
    } finally {
      await policies.close();
    }
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
