// Production entry: `node dist/src/main.js` runs `junction start` with JUNCTION_CONFIG or gateway.yaml.
process.argv.splice(2, 0, 'start', ...(process.env['JUNCTION_CONFIG'] ? ['--config', process.env['JUNCTION_CONFIG']] : []));
await import('./cli.js');
