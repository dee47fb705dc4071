/**
 * The fully-cached fast path: when every root field of a query is a cached field without
 * conditions, their keys are computed before execution and read at once; if all hit, the
 * response is assembled from the stored JSON without running the executor at all.
 * @internal
 */
import { type Cache, Codec } from "@cachet/core"
import { Runtime } from "effect"
import type { DocumentNode, FieldNode, GraphQLSchema } from "graphql"
import { getArgumentValues, getOperationAST, getVariableValues, Kind } from "graphql"

import * as FragmentKey from "../FragmentKey.js"
import type { Report, ResolvedOptions } from "../GraphQLCache.js"
import { Execution } from "./execution.js"
import type { Stored } from "./raw.js"
import { countsOf, coverageOf, none, withExtensions } from "./report.js"
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

/** An operation as `peekFullyCached` reads it. @internal */
export interface Peekable {
  readonly schema: GraphQLSchema
  readonly document: DocumentNode
  readonly variableValues?: Readonly<Record<string, unknown>> | null | undefined
  readonly contextValue?: unknown
  readonly operationName?: string | null | undefined
}

/**
 * The report of a fully cached operation whose root fields the cache can all tell synchronously
 * (`Cache.peekFresh`: an in-process store or tier), without a fiber; `undefined` otherwise (then
 * `GraphQLCache.start` reads them, and the roots peeked before a miss count as hits twice).
 * @internal
 */
export const peekFullyCached = (
  operation: Peekable,
  cache: Cache.Service,
  config: ResolvedOptions
): Report | undefined => {
  if (!config.enabled) return undefined
  const run = new Execution({
    cache,
    config,
    runtime: Runtime.defaultRuntime,
    schemaDigest: FragmentKey.schemaDigest(operation.schema),
    renew: false,
    mutation: false
  })
  const roots = fullyCachedRoots(
    run,
    operation.schema,
    operation.document,
    operation.variableValues ?? undefined,
    operation.operationName,
    operation.contextValue
  )
  if (roots === undefined) return undefined
  const values: Array<Stored> = []
  for (const root of roots) {
    const peeked = cache.peekFresh(root.key, Codec.json)
    if (peeked === undefined) return undefined
    values.push(peeked.value as Stored)
  }
  const data: Record<string, unknown> = {}
  roots.forEach((root, i) => {
    const stored = values[i]!
    data[root.responseKey] = stored.v
    run.coverage.add(stored)
  })
  run.hits += values.length
  const result = { data }
  return {
    result: withExtensions(result, run, config),
    fullyCached: true,
    coverage: coverageOf(run, config, result, false),
    changed: none,
    counts: countsOf(run)
  }
}
