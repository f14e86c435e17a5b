import { fileURLToPath } from 'node:url';
import { usersById, users } from '../data.js';
import { createGraphQLHandler, loadSchema } from '../graphql-server.js';
import { CallCounter, startService, type RunningService, type ServiceOptions } from '../service.js';

/** Absolute path of the users SDL (the gateway reads this file). */
export const usersSchemaPath = fileURLToPath(new URL('./schema.graphql', import.meta.url));

const rootValue = {
  user: ({ id }: { id: string }) => usersById.get(id) ?? null,
  users: () => users,
  usersByIds: ({ ids }: { ids: string[] }) => ids.map((id) => usersById.get(id) ?? null),
};

/** Starts the users GraphQL service (`POST|GET /graphql`). */
export async function startUsers(options: ServiceOptions = {}): Promise<RunningService> {
  const counter = new CallCounter();
  const handler = createGraphQLHandler(loadSchema(usersSchemaPath), rootValue, counter);
  return startService('users', counter, handler, options);
}
