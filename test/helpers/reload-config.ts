import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from './demo-gateway.js';

export interface ConfigParts {
  usersUrl: string;
  reviewsUrl?: string;
  /** How the reviews source gets its schema (YAML); default its SDL file. */
  reviewsSchema?: string;
  /** Extra top-level YAML. */
  extra?: string;
  /** Extra settings of the users upstream (YAML flow mapping entries). */
  usersUpstream?: string;
}

/** A gateway.yaml over users (SDL file) and, when given, reviews with the Review.author link. */
export function configText(parts: ConfigParts): string {
  const reviews = parts.reviewsUrl === undefined ? '' : `
  - { name: reviews, type: graphql, upstream: reviews, schema: ${parts.reviewsSchema ?? `{ file: ${resolve(ROOT, 'subgraphs/reviews/schema.graphql')} }`} }`;
  const link = parts.reviewsUrl === undefined ? '' : `
links:
  - { field: Review.author, type: User, from: authorId, to: { source: users, field: usersByIds, argument: ids, batch: true, key: id } }`;
  return `
server: { port: 0, host: 127.0.0.1, shutdownGraceMs: 5000 }
${parts.extra ?? ''}
upstreams:
  users: { url: "${parts.usersUrl}"${parts.usersUpstream ? `, ${parts.usersUpstream}` : ''} }
${parts.reviewsUrl === undefined ? '' : `  reviews: { url: "${parts.reviewsUrl}", connectTimeoutMs: 500 }`}
sources:
  - { name: users, type: graphql, upstream: users, schema: { file: ${resolve(ROOT, 'subgraphs/users/schema.graphql')} } }${reviews}
${link}
`;
}

/** A temporary folder holding gateway.yaml; `write` replaces the file's content. */
export async function tempConfig(text: string): Promise<{ dir: string; file: string; write(text: string): Promise<void>; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-reload-'));
  const file = join(dir, 'gateway.yaml');
  await writeFile(file, text);
  return {
    dir,
    file,
    write: (next) => writeFile(file, next),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
