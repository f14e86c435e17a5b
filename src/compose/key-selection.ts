import { Kind, type FieldNode } from 'graphql';

/** Alias under which a batched link asks for each result's key; clients never see it. */
export const LINK_KEY_ALIAS = '_junctionLinkKey';

const withKey = new WeakMap<FieldNode, Map<string, FieldNode[]>>();

/**
 * The client's field nodes with the result's key field added (as an alias), so a batched answer
 * can be matched back to its parents whatever the client selected. Built once per document
 * (keyed by the AST node), not per request.
 */
export function fieldNodesWithKey(fieldNodes: readonly FieldNode[], keyField: string): FieldNode[] {
  const first = fieldNodes[0];
  if (first === undefined) return [];
  let byKey = withKey.get(first);
  if (byKey === undefined) {
    byKey = new Map();
    withKey.set(first, byKey);
  }
  let nodes = byKey.get(keyField);
  if (nodes === undefined) {
    nodes = fieldNodes.map((node) => addKeySelection(node, keyField));
    byKey.set(keyField, nodes);
  }
  return nodes;
}

function addKeySelection(node: FieldNode, keyField: string): FieldNode {
  const keySelection: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: LINK_KEY_ALIAS },
    name: { kind: Kind.NAME, value: keyField },
  };
  const selections = node.selectionSet?.selections ?? [];
  return { ...node, selectionSet: { kind: Kind.SELECTION_SET, selections: [...selections, keySelection] } };
}
