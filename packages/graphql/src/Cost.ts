/**
 * What an operation may cost before it runs: a static cost model over the operation's
 * selections (fragments expanded) — how many fields it selects, how many of them are aliased,
 * how deep it nests, and how many times its fields would be resolved, lists multiplied by their
 * size (`first`, `last`, `limit`, `take` or `pageSize` when given, else a default). An operation
 * over any limit is answered with GraphQL errors and never executed: 2,000 aliases of a field,
 * a fragment that expands to thousands of fields, or a list of lists of lists.
 *
 * @since 0.1.0
 */
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode
} from "graphql"
import {
  getNamedType,
  getNullableType,
  getOperationAST,
  GraphQLError,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef
} from "graphql"

/**
 * Limits on an operation (every one optional; the defaults are {@link defaults}).
 *
 * @since 0.1.0
 * @category models
 */
export interface Limits {
  /** Most field resolutions, lists multiplied by their size (default 10,000). */
  readonly maxCost?: number
  /** Most fields selected, fragments expanded (default 500). */
  readonly maxFields?: number
  /** Most aliased fields, fragments expanded (default 100). */
  readonly maxAliases?: number
  /** Deepest selection nesting (default 12). */
  readonly maxDepth?: number
  /** The size assumed of a list whose field names none (default 10). */
  readonly defaultListSize?: number
  /**
   * Arguments that give a list's size (default `first`, `last`, `limit`, `take`, `pageSize`). On
   * a field that is not itself a list (a connection), the size applies to the list below it
   * (its `edges` or `nodes`).
   */
  readonly sizeArguments?: ReadonlyArray<string>
}

/**
 * The default limits.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Required<Limits> = {
  maxCost: 10_000,
  maxFields: 500,
  maxAliases: 100,
  maxDepth: 12,
  defaultListSize: 10,
  sizeArguments: ["first", "last", "limit", "take", "pageSize"]
}

/**
 * What an operation costs: field resolutions (lists multiplied), fields selected, aliased
 * fields, and nesting depth.
 *
 * @since 0.1.0
 * @category models
 */
export interface Analysis {
  readonly cost: number
  readonly fields: number
  readonly aliases: number
  readonly depth: number
}

/**
 * What is analyzed: the operation (by name when the document has several) and its variables.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly operationName?: string | null | undefined
  readonly variableValues?: Readonly<Record<string, unknown>> | null | undefined
}

const none: Analysis = { cost: 0, fields: 0, aliases: 0, depth: 0 }

/**
 * The cost of the operation a request runs (nothing when the document names no single
 * operation). Linear in the document's size: each fragment is analyzed once per list size it
 * is spread under, however many times it is spread; a fragment spread inside itself (a cycle,
 * which validation rejects) counts once.
 *
 * @since 0.1.0
 * @category analysis
 */
export const analyze = (
  schema: GraphQLSchema,
  document: DocumentNode,
  request: Request = {},
  limits: Limits = {}
): Analysis => {
  const operation = getOperationAST(document, request.operationName)
  if (operation === null || operation === undefined) return none
  const root = operation.operation === "query"
    ? schema.getQueryType()
    : operation.operation === "mutation"
    ? schema.getMutationType()
    : schema.getSubscriptionType()
  if (root === null || root === undefined) return none
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
  }
  const listSize = limits.defaultListSize ?? defaults.defaultListSize
  const sizeArguments = new Set(limits.sizeArguments ?? defaults.sizeArguments)
  const variables = request.variableValues ?? {}
  const numberOf = (value: ValueNode, operation: OperationDefinitionNode): number | undefined => {
    if (value.kind === Kind.INT) return Number.parseInt(value.value, 10)
    if (value.kind !== Kind.VARIABLE) return undefined
    const given = variables[value.name.value]
    if (typeof given === "number") return given
    const declared = operation.variableDefinitions?.find((definition) =>
      definition.variable.name.value === value.name.value
    )
    return declared?.defaultValue === undefined ? undefined : numberOf(declared.defaultValue, operation)
  }
  /** The size a field's arguments (or their defaults) give, if any. */
  const sizeOf = (field: FieldNode, definition: GraphQLField<unknown, unknown> | undefined): number | undefined => {
    for (const argument of field.arguments ?? []) {
      if (!sizeArguments.has(argument.name.value)) continue
      const size = numberOf(argument.value, operation)
      if (size !== undefined) return Math.max(0, size)
    }
    for (const argument of definition?.args ?? []) {
      if (sizeArguments.has(argument.name) && typeof argument.defaultValue === "number") {
        return Math.max(0, argument.defaultValue)
      }
    }
    return undefined
  }
  const fieldOf = (type: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined => {
    if (type === root && name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef
    if (type === root && name === TypeMetaFieldDef.name) return TypeMetaFieldDef
    return type !== undefined && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[name] : undefined
  }

  const memo = new Map<string, Analysis>()
  const visiting = new Set<string>()
  /**
   * The selections below a type at multiplier 1; `pending`: a size given above that applies to
   * the first list; `flat`: inside introspection (lists there are not multiplied).
   */
  const selections = (
    set: SelectionSetNode,
    type: GraphQLNamedType | undefined,
    pending: number | undefined,
    flat: boolean
  ): Analysis => {
    let cost = 0
    let fields = 0
    let aliases = 0
    let depth = 0
    const add = (inner: Analysis, multiplier: number, deeper: number) => {
      cost += multiplier * inner.cost
      fields += inner.fields
      aliases += inner.aliases
      depth = Math.max(depth, deeper + inner.depth)
    }
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        fields++
        cost++
        if (selection.alias !== undefined) aliases++
        const name = selection.name.value
        const definition = fieldOf(type, name)
        if (selection.selectionSet === undefined || definition === undefined) {
          depth = Math.max(depth, 1)
          continue
        }
        const list = isListType(getNullableType(definition.type))
        const size = sizeOf(selection, definition) ?? pending
        const introspection = flat || name.startsWith("__")
        const multiplier = list && !introspection ? size ?? listSize : 1
        add(
          selections(selection.selectionSet, getNamedType(definition.type), list ? undefined : size, introspection),
          multiplier,
          1
        )
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition === undefined
          ? type
          : schema.getType(selection.typeCondition.name.value) ?? undefined
        add(selections(selection.selectionSet, condition, pending, flat), 1, 0)
      } else {
        const name = selection.name.value
        const fragment = fragments.get(name)
        if (fragment === undefined || visiting.has(name)) continue
        const key = `${name}|${pending ?? ""}|${flat}`
        let known = memo.get(key)
        if (known === undefined) {
          visiting.add(name)
          known = selections(
            fragment.selectionSet,
            schema.getType(fragment.typeCondition.name.value) ?? undefined,
            pending,
            flat
          )
          visiting.delete(name)
          memo.set(key, known)
        }
        add(known, 1, 0)
      }
    }
    return { cost, fields, aliases, depth }
  }
  return selections(operation.selectionSet, root, undefined, false)
}

/**
 * The errors of an operation over the limits (none when it is within them), each with
 * `extensions.code` `"COST_LIMIT_EXCEEDED"`, the limit's name, its value and the operation's.
 * Run it after validation and before execution.
 *
 * @since 0.1.0
 * @category analysis
 */
export const check = (
  schema: GraphQLSchema,
  document: DocumentNode,
  request: Request = {},
  limits: Limits = {}
): ReadonlyArray<GraphQLError> => {
  const analysis = analyze(schema, document, request, limits)
  const errors: Array<GraphQLError> = []
  const over = (limit: keyof Limits, value: number, what: string) => {
    const max = (limits[limit] ?? defaults[limit]) as number
    if (value <= max) return
    errors.push(
      new GraphQLError(`the operation has ${what} ${value}, over the limit of ${max} (${limit})`, {
        extensions: { code: "COST_LIMIT_EXCEEDED", limit, max, value }
      })
    )
  }
  over("maxAliases", analysis.aliases, "aliased fields:")
  over("maxFields", analysis.fields, "fields (fragments expanded):")
  over("maxDepth", analysis.depth, "a depth of")
  over("maxCost", analysis.cost, "a cost (field resolutions, lists multiplied by their size) of")
  return errors
}
