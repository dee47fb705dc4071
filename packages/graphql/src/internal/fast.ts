/**
 * The fully-cached fast path: when every root field of a query is a cached field without
 * conditions, their keys are computed before execution and read at once; if all hit, the
 * response is assembled from the stored JSON without running the executor at all.
 * @internal
 */
import type { DocumentNode, FieldNode, GraphQLSchema } from "graphql"
import { getArgumentValues, getOperationAST, getVariableValues, Kind } from "graphql"

import type { Execution } from "./execution.js"
import { type FieldMeta, specOf } from "./schema.js"

/** A root field read ahead. @internal */
export interface Root {
  readonly responseKey: string
  /** The encoded key. */
  readonly key: string
}

/** The keys of the root fields, when the operation qualifies for the fast path. @internal */
export const fullyCachedRoots = (
  run: Execution,
  schema: GraphQLSchema,
  document: DocumentNode,
  variableValues: Readonly<Record<string, unknown>> | undefined,
  operationName: string | null | undefined,
  context: unknown
): ReadonlyArray<Root> | undefined => {
  const operation = getOperationAST(document, operationName)
  const queryType = schema.getQueryType()
  if (
    operation === null || operation === undefined || operation.operation !== "query" || queryType === null ||
    queryType === undefined
  ) return undefined
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variableValues ?? {}, { maxErrors: 1 })
  if (coerced.errors !== undefined) return undefined
  const fragments = Object.fromEntries(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : []
    )
  )
  const fields = queryType.getFields()
  const roots: Array<Root> = []
  const seen = new Set<string>()
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || (selection.directives?.length ?? 0) > 0) return undefined
    const field = fields[selection.name.value]
    const spec = field === undefined ? undefined : specOf(field)
    if (field === undefined || spec === undefined) return undefined
    if (spec.when !== undefined || spec.unless !== undefined || spec.keepInContext === true) return undefined
    run.coverage.note(spec)
    const responseKey = selection.alias?.value ?? selection.name.value
    if (seen.has(responseKey)) return undefined
    seen.add(responseKey)
    let args: Record<string, unknown>
    try {
      args = getArgumentValues(field, selection, coerced.coerced)
    } catch {
      return undefined
    }
    const meta = { name: field.name } as FieldMeta
    const fieldNodes: ReadonlyArray<FieldNode> = [selection]
    const key = run.keyOf(meta, spec, undefined, args, context, {
      path: { prev: undefined, key: responseKey, typename: queryType.name },
      parentType: queryType,
      fieldNodes,
      schema,
      returnType: field.type,
      fragments,
      variableValues: coerced.coerced
    })
    roots.push({ responseKey, key })
  }
  return roots.length > 0 ? roots : undefined
}
