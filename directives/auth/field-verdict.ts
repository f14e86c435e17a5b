import type { JunctionError } from '../../src/errors.js';
import type { Principal } from '../policy.js';
import { forbidden, missingCredentials } from './errors.js';
import { deniedFieldCheck, evaluate } from './evaluate.js';
import type { PlanEntry } from './plan.js';
import type { RequirementIndex } from './requirements.js';

/**
 * What the protected fields an operation selects decide for this caller: nothing (allowed
 * everything), the whole request refused (`reject`), or which fields answer null (`null`).
 */
export type FieldVerdict = undefined | { refuse: JunctionError } | { deniedField: (coordinate: string) => boolean };

export interface FieldVerdictOptions {
  onFieldDenied: 'reject' | 'null';
  realm: string;
  /** Read only when a field is denied in `null` mode. */
  requirements: () => RequirementIndex;
}

/** The one check `/graphql` and aggregation routes make of an operation's protected fields, planned once per document. */
export function fieldVerdict(entries: readonly PlanEntry[], principal: Principal | undefined, options: FieldVerdictOptions): FieldVerdict {
  for (const entry of entries) {
    const denial = evaluate(entry.requirement, principal);
    if (denial === undefined) continue;
    if (options.onFieldDenied === 'null') return { deniedField: deniedFieldCheck(options.requirements(), principal) };
    return {
      refuse: denial === 'UNAUTHENTICATED'
        ? missingCredentials(options.realm, `Field "${entry.coordinate}"`)
        : forbidden(options.realm, `field "${entry.coordinate}"`),
    };
  }
  return undefined;
}
