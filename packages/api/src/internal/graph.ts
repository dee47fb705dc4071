/**
 * Walks a normalized `EntityGraph` from its root entity (`Query`) through the public
 * `inspectFields` / `resolve`: the root fields, the entities they reach (by type), and one
 * entity's records and links with the root fields that reach it.
 * @internal
 */
import type { EntityGraph } from "@cachet/normalize"
import { Effect } from "effect"

import { GraphEntity, GraphField, GraphSummary, TypeCount } from "../CacheBrowse.js"

const ROOT = "Query"
/** How many entities one walk visits at most. */
const WALK_LIMIT = 10_000

type Graph = EntityGraph.Service

const fieldsOf = (graph: Graph, key: string) =>
  Effect.flatMap(graph.inspectFields(key), (fields) =>
    Effect.forEach(fields, (field) =>
      Effect.map(
        graph.resolve(key, field.fieldName, field.arguments as EntityGraph.Args),
        (value) => ({ fieldKey: field.fieldKey, value })
      )))

const stringsOf = (value: unknown, into: Array<string>): boolean => {
  if (value === null) return true
  if (typeof value === "string") return into.push(value) > 0
  if (Array.isArray(value)) return value.every((item) => stringsOf(item, into))
  return false
}

/** The entity keys a field value links to, or null when it is a record. */
const linksOf = (graph: Graph, value: unknown): Effect.Effect<ReadonlyArray<string> | null> => {
  const keys: Array<string> = []
  if (!stringsOf(value, keys) || keys.length === 0) return Effect.succeed(null)
  return Effect.map(
    Effect.forEach(keys, (key) => Effect.map(graph.inspectFields(key), (fields) => fields.length > 0)),
    (known) => (known.every(Boolean) ? keys : null)
  )
}

/** Every entity a root field reaches (breadth first), by root field key. */
const walk = (graph: Graph) =>
  Effect.gen(function*() {
    const reachedBy = new Map<string, Set<string>>()
    const roots: Array<string> = []
    for (const root of yield* fieldsOf(graph, ROOT)) {
      roots.push(root.fieldKey)
      const seen = new Set<string>()
      let frontier = (yield* linksOf(graph, root.value)) ?? []
      while (frontier.length > 0 && reachedBy.size < WALK_LIMIT) {
        const next: Array<string> = []
        for (const key of frontier) {
          if (seen.has(key)) continue
          seen.add(key)
          const set = reachedBy.get(key) ?? new Set<string>()
          set.add(root.fieldKey)
          reachedBy.set(key, set)
          for (const field of yield* fieldsOf(graph, key)) next.push(...((yield* linksOf(graph, field.value)) ?? []))
        }
        frontier = next
      }
    }
    return { roots, reachedBy }
  })

const typenameOf = (key: string): string => {
  const colon = key.indexOf(":")
  return colon === -1 ? key : key.slice(0, colon)
}

/** The root fields and the entities they reach, by type. @internal */
export const summary = (graph: Graph): Effect.Effect<GraphSummary> =>
  Effect.map(walk(graph), ({ reachedBy, roots }) => {
    const types = new Map<string, Array<string>>()
    for (const key of reachedBy.keys()) {
      const typename = typenameOf(key)
      types.set(typename, [...(types.get(typename) ?? []), key])
    }
    return new GraphSummary({
      available: true,
      roots,
      types: [...types].sort(([a], [b]) => (a < b ? -1 : 1)).map(([typename, keys]) =>
        new TypeCount({ typename, keys: keys.sort() })
      )
    })
  })

/** One entity's fields and the root fields that reach it; none when the graph has no such entity. @internal */
export const entity = (graph: Graph, key: string): Effect.Effect<GraphEntity | undefined> =>
  Effect.gen(function*() {
    const fields = yield* fieldsOf(graph, key)
    if (fields.length === 0) return undefined
    const { reachedBy } = yield* walk(graph)
    const described = yield* Effect.forEach(fields, (field) =>
      Effect.map(linksOf(graph, field.value), (links) =>
        new GraphField({
          fieldKey: field.fieldKey,
          kind: links === null ? "record" : "link",
          value: JSON.stringify(field.value ?? null) ?? "null"
        })))
    return new GraphEntity({ key, fields: described, reachedBy: [...(reachedBy.get(key) ?? [])].sort() })
  })
