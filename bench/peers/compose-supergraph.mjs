// Composes a Federation 2 supergraph from subgraph SDL files.
//   node compose-supergraph.mjs OUT.graphql name=path/to/schema.graphql=http://127.0.0.1:1234/graphql ...
import { readFileSync, writeFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

const [out, ...specs] = process.argv.slice(2);
const services = specs.map((spec) => {
  const [name, file, url] = spec.split('=');
  return { name, url, typeDefs: parse(readFileSync(file, 'utf8')) };
});
const result = composeServices(services);
if (result.errors?.length) {
  console.error(result.errors.map((e) => e.message).join('\n'));
  process.exit(1);
}
writeFileSync(out, result.supergraphSdl);
console.log(`wrote ${out}`);
