import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { which } from './sys.js';

/**
 * CPU a bare signature check costs, as the floor of the distinct-token row: a child pinned to the
 * core under test checks the tokens' RS256 signatures with node:crypto alone (no parsing, no
 * claims, no HTTP) and prints its CPU µs per token. Undefined when it cannot run.
 */
export async function signatureCheckCpuUs(core: number, publicPem: string, tokensFile: string): Promise<number | undefined> {
  const taskset = which('taskset');
  const node = [process.execPath, '-e', SCRIPT, tokensFile];
  const [command, args] = taskset ? [taskset, ['-c', String(core), ...node]] : [node[0]!, node.slice(1)];
  try {
    const { stdout } = await promisify(execFile)(command, args, { env: { ...process.env, BENCH_JWT_PEM: publicPem }, timeout: 60_000 });
    const value = Number(stdout.trim());
    return Number.isFinite(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

const SCRIPT = `
const { createPublicKey, verify } = require('node:crypto');
const tokens = require('node:fs').readFileSync(process.argv[1], 'utf8').trim().split('\\n').slice(0, 3000);
const key = createPublicKey(process.env.BENCH_JWT_PEM);
const check = (token) => {
  const dot = token.lastIndexOf('.');
  if (!verify('RSA-SHA256', Buffer.from(token.slice(0, dot)), key, Buffer.from(token.slice(dot + 1), 'base64url'))) throw new Error('bad signature');
};
for (const token of tokens.slice(0, 500)) check(token);
let best = Infinity;
for (let round = 0; round < 3; round++) {
  const before = process.cpuUsage();
  for (const token of tokens) check(token);
  const used = process.cpuUsage(before);
  best = Math.min(best, (used.user + used.system) / tokens.length);
}
console.log(best);
`;
