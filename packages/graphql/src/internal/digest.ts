/**
 * Selection digests, memoised across operations.
 * @internal
 */
import { BoundedMemo } from "@cachet/core"
import type { FieldNode, GraphQLResolveInfo } from "graphql"

import * as FragmentKey from "../FragmentKey.js"

/**
 * Selection digests across operations: by the first field node (documents are reused by the
 * HTTP layer's document cache and by callers), the parent type, and the variables.
 */
const digestMemo = BoundedMemo.makeWeak<FieldNode, BoundedMemo.BoundedMemo<string, string>>(10_000)

/** The selection digest of a field met at `info`. @internal */
export const selectionDigestOf = (
  info: Pick<
    GraphQLResolveInfo,
    "parentType" | "fieldNodes" | "fragments" | "variableValues" | "schema" | "returnType"
  >,
  variablesText: (variables: Readonly<Record<string, unknown>>) => string
): string => {
  const first = info.fieldNodes[0]
  if (first === undefined || first.selectionSet === undefined) return FragmentKey.selectionDigest(info.fieldNodes, info)
  let byContext = digestMemo.get(first)
  if (byContext === undefined) {
    byContext = BoundedMemo.make(64)
    digestMemo.set(first, byContext)
  }
  const context = `${info.parentType.name}:${info.fieldNodes.length}:${variablesText(info.variableValues)}`
  let digest = byContext.get(context)
  if (digest === undefined) {
    digest = FragmentKey.selectionDigest(info.fieldNodes, info)
    byContext.set(context, digest)
  }
  return digest
}
