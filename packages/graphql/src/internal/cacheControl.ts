/**
 * Apollo's cache hints as fragment settings: on a cached field, `@cacheControl(maxAge: N)` (on the
 * field, else on its return type) is its ttl when it names none, and `scope: PRIVATE` keeps it
 * per session (as `contextKey: []`; not cached at all without a session). Applied once per
 * schema, before it is prepared.
 * @internal
 */
import { Duration } from "effect"
import type { ConstDirectiveNode, GraphQLSchema } from "graphql"
import { getNamedType, isObjectType, Kind } from "graphql"

import type { FragmentOptions } from "../GraphQLCache.js"
import { extensionKey, specOf } from "./schema.js"

const applied = new WeakSet<GraphQLSchema>()

interface Hint {
  readonly maxAge?: number
  readonly private?: boolean
}

const hintOf = (directives: ReadonlyArray<ConstDirectiveNode> | undefined): Hint => {
  const directive = directives?.find((d) => d.name.value === "cacheControl")
  if (directive === undefined) return {}
  let maxAge: number | undefined
  let isPrivate: boolean | undefined
  for (const arg of directive.arguments ?? []) {
    if (arg.name.value === "maxAge" && arg.value.kind === Kind.INT) maxAge = Number(arg.value.value)
    if (arg.name.value === "scope" && arg.value.kind === Kind.ENUM) isPrivate = arg.value.value === "PRIVATE"
  }
  return { ...(maxAge === undefined ? {} : { maxAge }), ...(isPrivate === undefined ? {} : { private: isPrivate }) }
}

/** Reads the hints of every cached field into its fragment options, once per schema. @internal */
export const applyCacheControl = (schema: GraphQLSchema, hasSession: boolean): void => {
  if (applied.has(schema)) return
  applied.add(schema)
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || !isObjectType(type)) continue
    for (const field of Object.values(type.getFields())) {
      const spec = specOf(field)
      if (spec === undefined) continue
      const own = hintOf(field.astNode?.directives)
      const returned = getNamedType(field.type)
      const inherited = hintOf(returned.astNode?.directives)
      const maxAge = own.maxAge ?? inherited.maxAge
      const isPrivate = own.private ?? inherited.private ?? false
      const options: FragmentOptions = {
        ...spec,
        ...(spec.ttl === undefined && maxAge !== undefined ? { ttl: Duration.seconds(maxAge) } : {}),
        ...(isPrivate && spec.contextKey === undefined ? { contextKey: [] } : {}),
        // Private without a session to key it by: never shared, so never cached.
        ...(isPrivate && !hasSession ? { when: () => false } : {})
      }
      ;(field as { extensions: Record<string, unknown> }).extensions = { ...field.extensions, [extensionKey]: options }
    }
  }
}
