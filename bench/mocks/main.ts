/**
 * Runs one bench mock standalone, so it can itself be the process under test
 * (the "subgraph queried directly" row). `PORT` (default 0); prints `listening <url>`.
 *
 *   node --import tsx bench/mocks/main.ts products-graphql
 */
import { startProductsGraphql, startRestMock } from '../lib/mocks.js';

const kind = process.argv[2] ?? 'products-graphql';
const port = Number(process.env.PORT ?? 0);
const mock = kind === 'rest' ? await startRestMock(port) : await startProductsGraphql(port);
console.log(`listening ${mock.url}`);
process.on('SIGTERM', () => void mock.close().then(() => process.exit(0)));
