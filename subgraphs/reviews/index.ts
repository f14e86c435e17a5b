import { fileURLToPath } from 'node:url';
import { reviews, reviewsById, reviewsByProductId } from '../data.js';
import { createGraphQLHandler, loadSchema } from '../graphql-server.js';
import { CallCounter, startService, type RunningService, type ServiceOptions } from '../service.js';

/** Absolute path of the reviews SDL (the gateway reads this file). */
export const reviewsSchemaPath = fileURLToPath(new URL('./schema.graphql', import.meta.url));

const rootValue = {
  reviews: () => reviews,
  // Duplicate ids are collapsed so a product's reviews appear once.
  review: ({ id }: { id: string }) => reviewsById.get(id) ?? null,
  reviewsByProductIds: ({ productIds }: { productIds: string[] }) =>
    [...new Set(productIds)].flatMap((id) => reviewsByProductId.get(id) ?? []),
};

/** Starts the reviews GraphQL service (`POST|GET /graphql`). */
export async function startReviews(options: ServiceOptions = {}): Promise<RunningService> {
  const counter = new CallCounter();
  const handler = createGraphQLHandler(loadSchema(reviewsSchemaPath), rootValue, counter);
  return startService('reviews', counter, handler, options);
}
