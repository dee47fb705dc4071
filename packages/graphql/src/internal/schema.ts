/**
 * Prepares a schema for fragment caching, once per schema: every field's resolver is wrapped
 * (inert unless the operation runs under `GraphQLCache.execute`), abstract types resolve
 * replayed objects to their stored type, custom leaves pass replayed values through, and the
 * `@cacheFragment` directive is read into field extensions.
 * @internal
 */
import { Duration } from "effect"
import type { GraphQLField, GraphQLFieldResolver, GraphQLNamedType, GraphQLSchema, GraphQLTypeResolver } from "graphql"
import {
  defaultFieldResolver,
  defaultTypeResolver,
  DirectiveLocation,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  GraphQLDirective,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  isAbstractType,
  isEnumType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType
} from "graphql"

import type { FragmentOptions } from "../GraphQLCache.js"
import { type LeafKind, Raw, RawLeaf } from "./raw.js"

/** The key under which a field's `extensions` carry its fragment options. @internal */
export const extensionKey = "cacheFragment"

/** What the wrapper knows about a field, computed once. @internal */
export interface FieldMeta {
  readonly name: string
  readonly spec: FragmentOptions | undefined
  readonly leaf: LeafKind
  readonly list: boolean
  readonly abstract: boolean
  readonly hasArgs: boolean
  /**
   * How a hit of this field is spliced into the response after execution instead of replayed
   * through the executor: the executor completes `null` (a nullable field) or `[]` (a non-null
   * list) in its place; `undefined` for leaves and non-null objects, which are replayed.
   */
  readonly splice: "null" | "list" | undefined
}

/** The executor a prepared schema hands every resolver call to (found through the context). @internal */
export interface Executor {
  readonly resolve: (
    meta: FieldMeta,
    resolve: GraphQLFieldResolver<unknown, unknown>,
    source: unknown,
    args: Record<string, unknown>,
    context: unknown,
    info: Parameters<GraphQLFieldResolver<unknown, unknown>>[3]
  ) => unknown
}

/**
 * Marks an executor given as the root value: only `GraphQLCache.execute` does so, for an
 * operation whose context is not an object (nothing to find the executor through). @internal
 */
export const ExecutorTypeId: unique symbol = Symbol.for("@cachet/graphql/Executor")

const isExecutor = (u: unknown): u is Executor => typeof u === "object" && u !== null && ExecutorTypeId in u

/**
 * The executor of each running operation, by its context value: users' `rootValue`, graphql-jit
 * and other servers' resolver wrapping compose with it, and documents are never rewritten.
 */
const executors = new WeakMap<object, Executor>()

/** Runs the operations with this context under `executor`; false when another one already does. @internal */
export const bind = (context: unknown, executor: Executor): boolean => {
  if (typeof context !== "object" || context === null || executors.has(context)) return false
  executors.set(context, executor)
  return true
}

/** Ends `bind`. @internal */
export const unbind = (context: unknown, executor: Executor): void => {
  if (typeof context === "object" && context !== null && executors.get(context) === executor) {
    executors.delete(context)
  }
}

/** The `@cacheFragment` directive. @internal */
export const directive = new GraphQLDirective({
  name: "cacheFragment",
  description: "Caches the rendered subtree of this field (Cachet).",
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    ttl: { type: GraphQLString },
    grace: { type: GraphQLString },
    contextKey: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
    includeArguments: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
    excludeArguments: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) }
  }
})

/** Fragment options given by a field's `@cacheFragment` directive, if any. @internal */
export const fromDirective = (field: GraphQLField<unknown, unknown>): FragmentOptions | undefined => {
  if (field.astNode === undefined || field.astNode === null) return undefined
  const values = getDirectiveValues(directive, field.astNode)
  if (values === undefined) return undefined
  const options: Record<string, unknown> = {}
  for (const name of ["ttl", "grace"] as const) {
    const value = values[name]
    if (typeof value === "string") options[name] = Duration.decode(value as Duration.DurationInput)
  }
  for (const name of ["contextKey", "includeArguments", "excludeArguments"] as const) {
    if (Array.isArray(values[name])) options[name] = values[name]
  }
  return options as FragmentOptions
}

const specs = new WeakMap<
  GraphQLField<unknown, unknown>,
  { readonly extensions: unknown; readonly spec: FragmentOptions | undefined }
>()

/**
 * The fragment options of a field: its extensions, else its directive (read once per field and
 * `extensions` object: replacing a field's extensions, as `cacheControl` does, is seen).
 * @internal
 */
export const specOf = (field: GraphQLField<unknown, unknown>): FragmentOptions | undefined => {
  let found = specs.get(field)
  if (found === undefined || found.extensions !== field.extensions) {
    found = {
      extensions: field.extensions,
      spec: (field.extensions as Record<string, unknown> | undefined)?.[extensionKey] as FragmentOptions | undefined ??
        fromDirective(field)
    }
    specs.set(field, found)
  }
  return found.spec
}

const leafKindOf = (type: GraphQLNamedType): LeafKind => {
  if (!isLeafType(type)) return "composite"
  return isScalarType(type) && isSpecifiedScalarType(type) ? "builtin" : "custom"
}

const prepared = new WeakSet<GraphQLSchema>()

/** Wraps a schema's resolvers in place, once. @internal */
export const prepare = (schema: GraphQLSchema): void => {
  if (prepared.has(schema)) return
  prepared.add(schema)
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue
    if (isObjectType(type)) {
      for (const field of Object.values(type.getFields())) wrapField(field)
      const isTypeOf = type.isTypeOf
      if (isTypeOf) {
        ;(type as { isTypeOf: typeof isTypeOf }).isTypeOf = (value, context, info) =>
          value instanceof Raw
            ? value.typename === undefined || value.typename === type.name
            : isTypeOf(value, context, info)
      }
    } else if (isInterfaceType(type) || isUnionType(type)) {
      const original: GraphQLTypeResolver<unknown, unknown> = type.resolveType ?? defaultTypeResolver
      ;(type as { resolveType: GraphQLTypeResolver<unknown, unknown> }).resolveType = (
        value,
        context,
        info,
        abstract
      ) =>
        value instanceof Raw && value.typename !== undefined ? value.typename : original(value, context, info, abstract)
    } else if ((isScalarType(type) && !isSpecifiedScalarType(type)) || isEnumType(type)) {
      const serialize = type.serialize.bind(type)
      ;(type as { serialize: (value: unknown) => unknown }).serialize = (value) =>
        value instanceof RawLeaf ? value.value : serialize(value)
    }
  }
}

const wrapField = (field: GraphQLField<unknown, unknown>): void => {
  const nullable = getNullableType(field.type)
  const named = getNamedType(field.type)
  const leaf = leafKindOf(named)
  const meta: FieldMeta = {
    name: field.name,
    spec: specOf(field),
    leaf,
    list: isListType(nullable),
    abstract: isAbstractType(named),
    hasArgs: field.args.length > 0,
    splice: leaf !== "composite"
      ? undefined
      : !isNonNullType(field.type)
      ? "null"
      : isListType(nullable)
      ? "list"
      : undefined
  }
  const resolve = field.resolve ?? defaultFieldResolver
  field.resolve = (source, args, context, info) => {
    const executor = typeof context === "object" && context !== null ? executors.get(context) : undefined
    if (executor !== undefined) return executor.resolve(meta, resolve, source, args, context, info)
    const root = info.rootValue
    return isExecutor(root)
      ? root.resolve(meta, resolve, source, args, context, info)
      : resolve(source, args, context, info)
  }
}
