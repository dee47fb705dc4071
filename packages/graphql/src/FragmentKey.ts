/**
 * The key of a cached GraphQL fragment, built in one pure place: namespace, version, a digest
 * of the printed schema, the field's identity (the parent object's key, or the path with its
 * arguments), a digest of the selection below the field and the context key.
 *
 * @since 0.1.0
 */
import { BoundedMemo, Key } from "@cachet/core"
import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLNamedType,
  GraphQLOutputType,
  GraphQLSchema,
  SelectionSetNode,
  ValueNode
} from "graphql"
import { getNamedType, isAbstractType, isInterfaceType, isObjectType, Kind, printSchema } from "graphql"

/**
 * The parts of a fragment key.
 *
 * @since 0.1.0
 * @category models
 */
export interface Parts {
  readonly namespace: string
  readonly version: string
  readonly schema: string
  readonly identity: string
  readonly selection: string
  readonly context: Key.Part
}

/**
 * The cache key of a fragment (an array of parts, encoded canonically by the cache so that no
 * two different part lists share a key).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (parts: Parts): Key.Input => [
  parts.namespace,
  parts.version,
  parts.schema,
  parts.identity,
  parts.selection,
  parts.context
]

const schemaDigests = BoundedMemo.makeWeak<GraphQLSchema, string>(64)

/**
 * A digest of the printed schema: a deploy that changes the schema never reads old entries.
 *
 * @since 0.1.0
 * @category constructors
 */
export const schemaDigest = (schema: GraphQLSchema): string => {
  let digest = schemaDigests.get(schema)
  if (digest === undefined) {
    digest = Key.digest(printSchema(schema))
    schemaDigests.set(schema, digest)
  }
  return digest
}

/**
 * The identity of an object with an id: `Type:id`, plus `@updatedAt` when the object has one
 * (a changed `updatedAt` is a new key, Rails' `cache_key` idea); `undefined` without an id.
 *
 * @since 0.1.0
 * @category constructors
 */
export const objectIdentity = (typename: string, object: unknown): string | undefined => {
  if (object === null || typeof object !== "object") return undefined
  const record = object as Record<string, unknown>
  const id = record["id"]
  if (id === undefined || id === null) return undefined
  const updatedAt = record["updatedAt"]
  const version = updatedAt === undefined || updatedAt === null
    ? ""
    : `@${updatedAt instanceof Date ? updatedAt.toISOString() : String(updatedAt)}`
  return `${typename}:${stable(id)}${version}`
}

/**
 * One step of a path: a response key with the field's arguments, or a list index.
 *
 * @since 0.1.0
 * @category models
 */
export type Segment = string | number | { readonly key: string; readonly args: unknown }

/**
 * The identity of a field met through objects without ids: its path, with every field's
 * arguments and the list indexes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pathIdentity = (segments: ReadonlyArray<Segment>): string =>
  segments
    .map((segment) =>
      typeof segment === "number"
        ? `[${segment}]`
        : typeof segment === "string"
        ? JSON.stringify(segment)
        : `${JSON.stringify(segment.key)}${stable(segment.args)}`
    )
    .join("/")

/**
 * The arguments that enter a key: all of them, only `include`, or all but `exclude`, written
 * canonically (keys sorted).
 *
 * @since 0.1.0
 * @category constructors
 */
export const argumentsPart = (
  args: Readonly<Record<string, unknown>>,
  include: ReadonlyArray<string> | undefined,
  exclude: ReadonlyArray<string> | undefined
): string => {
  const kept: Record<string, unknown> = {}
  for (const name of Object.keys(args)) {
    if (include !== undefined && !include.includes(name)) continue
    if (exclude !== undefined && exclude.includes(name)) continue
    kept[name] = args[name]
  }
  return stable(kept)
}

/**
 * What a selection digest depends on besides the field nodes.
 *
 * @since 0.1.0
 * @category models
 */
export interface SelectionContext {
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>
  readonly variableValues: Readonly<Record<string, unknown>>
  /** With the schema and the field's type, fragments on a known concrete type are flattened. */
  readonly schema?: GraphQLSchema
  readonly returnType?: GraphQLOutputType
}

/**
 * The canonical text of the selection below a field (its nodes merged): aliases, arguments
 * with variables substituted, fragments expanded inline (flattened where the concrete type is
 * known, kept with their type conditions under abstract types), and `@skip` / `@include`
 * applied. Selections with the same text render the same response shape for every concrete
 * type.
 *
 * @since 0.1.0
 * @category constructors
 */
export const canonicalSelection = (fieldNodes: ReadonlyArray<FieldNode>, context: SelectionContext): string => {
  let out = ""
  const type = context.returnType === undefined ? undefined : getNamedType(context.returnType)
  for (const node of fieldNodes) {
    if (node.selectionSet !== undefined) out += `{${selectionsText(node.selectionSet, type, context, [])}}`
  }
  return out
}

/**
 * A digest of {@link canonicalSelection}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const selectionDigest = (fieldNodes: ReadonlyArray<FieldNode>, context: SelectionContext): string =>
  Key.digest(canonicalSelection(fieldNodes, context))

/** Whether fragments on `condition` apply to objects of the concrete `type` (undefined: not known). */
const applies = (
  condition: string,
  type: GraphQLNamedType | undefined,
  schema: GraphQLSchema | undefined
): boolean | undefined => {
  if (type === undefined || schema === undefined || !isObjectType(type)) return undefined
  if (condition === type.name) return true
  const conditionType = schema.getType(condition)
  return conditionType !== undefined && conditionType !== null && isAbstractType(conditionType)
    ? schema.isSubType(conditionType, type)
    : false
}

const childType = (type: GraphQLNamedType | undefined, field: string): GraphQLNamedType | undefined =>
  type !== undefined && (isObjectType(type) || isInterfaceType(type))
    ? getNamedType(type.getFields()[field]?.type) ?? undefined
    : undefined

const selectionsText = (
  set: SelectionSetNode,
  type: GraphQLNamedType | undefined,
  context: SelectionContext,
  visiting: ReadonlyArray<string>
): string => {
  let out = ""
  const fragment = (
    condition: string | undefined,
    directives: Directives,
    selections: SelectionSetNode,
    path: ReadonlyArray<string>
  ) => {
    const known = condition === undefined ? true : applies(condition, type, context.schema)
    if (known === false) return
    const extra = otherDirectives(directives, context)
    if (known === true && extra === "") {
      out += selectionsText(selections, type, context, path)
      return
    }
    const inner = condition === undefined ? type : context.schema?.getType(condition) ?? undefined
    out += `...${condition ?? ""}${extra}{${selectionsText(selections, inner, context, path)}},`
  }
  for (const selection of set.selections) {
    if (!included(selection.directives, context)) continue
    switch (selection.kind) {
      case Kind.FIELD: {
        const name = selection.name.value
        out += `${selection.alias?.value ?? name}:${name}`
        if (selection.arguments !== undefined && selection.arguments.length > 0) {
          const args: Record<string, unknown> = {}
          for (const arg of selection.arguments) args[arg.name.value] = valueOf(arg.value, context)
          out += stable(args)
        }
        out += otherDirectives(selection.directives, context)
        if (selection.selectionSet !== undefined) {
          out += `{${selectionsText(selection.selectionSet, childType(type, name), context, visiting)}}`
        }
        out += ","
        break
      }
      case Kind.INLINE_FRAGMENT:
        fragment(selection.typeCondition?.name.value, selection.directives, selection.selectionSet, visiting)
        break
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value
        const definition = context.fragments[name]
        if (definition === undefined || visiting.includes(name)) break
        fragment(definition.typeCondition.name.value, selection.directives, definition.selectionSet, [
          ...visiting,
          name
        ])
        break
      }
    }
  }
  return out
}

type Directives = FieldNode["directives"]

const included = (directives: Directives, context: SelectionContext): boolean => {
  if (directives === undefined) return true
  for (const directive of directives) {
    const name = directive.name.value
    if (name !== "skip" && name !== "include") continue
    const condition = directive.arguments?.find((arg) => arg.name.value === "if")
    const value = condition === undefined ? undefined : valueOf(condition.value, context)
    if (name === "skip" && value === true) return false
    if (name === "include" && value !== true) return false
  }
  return true
}

const otherDirectives = (directives: Directives, context: SelectionContext): string => {
  let out = ""
  for (const directive of directives ?? []) {
    const name = directive.name.value
    if (name === "skip" || name === "include") continue
    const args: Record<string, unknown> = {}
    for (const arg of directive.arguments ?? []) args[arg.name.value] = valueOf(arg.value, context)
    out += `@${name}${stable(args)}`
  }
  return out
}

const valueOf = (node: ValueNode, context: SelectionContext): unknown => {
  switch (node.kind) {
    case Kind.VARIABLE:
      return context.variableValues[node.name.value] ?? null
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value)
    case Kind.STRING:
      return node.value
    case Kind.BOOLEAN:
      return node.value
    case Kind.NULL:
      return null
    case Kind.ENUM:
      return { enum: node.value }
    case Kind.LIST:
      return node.values.map((value) => valueOf(value, context))
    case Kind.OBJECT: {
      const out: Record<string, unknown> = {}
      for (const field of node.fields) out[field.name.value] = valueOf(field.value, context)
      return out
    }
  }
}

/**
 * JSON with object keys sorted (`undefined` as `null`), so equal data has equal text.
 *
 * @since 0.1.0
 * @category encoding
 */
export const stable = (value: unknown): string => {
  if (value === undefined || value === null) return "null"
  if (typeof value === "bigint") return `${value}n`
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`
  if (typeof value === "object") {
    const record = value as Record<string, unknown>
    return `{${Object.keys(record).sort().map((key) => `${JSON.stringify(key)}:${stable(record[key])}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}
