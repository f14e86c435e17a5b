/**
 * The auth directives, with the same meaning as in Apollo's and Cosmo's routers. On a type they
 * apply to every field of it; on an interface (or an interface's field), to the fields it declares
 * on every implementation too. Several requirements on one field (type, field, config) all hold.
 */
export const AUTH_TYPE_DEFS = /* GraphQL */ `
"The caller must be authenticated."
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE

"The caller's scopes must satisfy one inner list entirely (outer list OR, inner list AND)."
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE

"The claim (dotted path; string or list of strings) must hold one of the values. Repeatable: all must hold."
directive @requiresClaim(claim: String!, values: [String!]!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE
`;

export const AUTH_DIRECTIVE_NAMES = ['authenticated', 'requiresScopes', 'requiresClaim'] as const;
