#!/usr/bin/env node
// Runs the compiled CLI (`npm run build` first), or the TypeScript sources through tsx in a checkout.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
if (existsSync(compiled)) {
  await import(compiled);
} else {
  await import('tsx');
  await import(fileURLToPath(new URL('../src/cli.ts', import.meta.url)));
}
