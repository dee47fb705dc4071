/**
 * Compiles GraphQL documents into the plans the Schema front end runs on: each selection set
 * becomes a union plan whose object plan per typename (built on first use) holds the fields the
 * selection asks of that type, with field keys from arguments and variables. A document is parsed
 * and analysed once; its plans are built once per set of variables (and shared between variable
 * sets for every selection set that uses no variable).
 * @internal
 */
import type {
  ArgumentNode,
  DirectiveNode,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode
} from "@0no-co/graphql.web"
import { Kind, parse, valueFromASTUntyped } from "@0no-co/graphql.web"
import { Key } from "@cachet/core"
import { Schema } from "effect"

import type { EntityConfig } from "../../Normalize.js"
import * as keys from "../keys.js"
import type { ArrayPlan, FieldPlan, LeafPlan, NodeShapes, ObjectPlan, UnionPlan } from "../plan.js"
import { makeShape } from "../plan.js"
import type { SchemaInfo } from "./schema.js"

/** Variables of an operation. @internal */
export type Variables = { readonly [name: string]: unknown }

/** How a paginated field's pages are stored and merged. @internal */
export interface PaginationSpec {
  readonly kind: "relay" | "simple"
  /** The arguments that tell pages apart (dropped from the merged field's key). */
  readonly pageArgs: ReadonlyArray<string>
  readonly offsetArgument: string
}

/** What compiling needs from the `Documents` instance. @internal */
export interface Context {
  readonly entity: (typename: string) => EntityConfig | undefined
  readonly schema: SchemaInfo | undefined
  /** Whether a typename is known to be concrete (used to match fragments without a schema). */
  readonly isConcrete: (typename: string) => boolean
  /** Changes when a typename becomes known as concrete: plans built before are rebuilt (without a schema). */
  readonly generation: () => number
  readonly pagination: (typename: string, fieldName: string) => PaginationSpec | undefined
  /** The local resolver of a field, if any: computes it from its parent's key and arguments. */
  readonly resolver: (
    typename: string,
    fieldName: string
  ) => ((parentKey: string | undefined, args: Variables, link: boolean) => unknown) | undefined
  /** Whether any field is paginated (when none is, and no field has a resolver, read and write plans are the same). */
  readonly paginated: boolean
  /** Whether any field has a local resolver. */
  readonly resolving: boolean
  /** Called with every `@list(name:)` found: the list name, the field's parent typename and name. */
  readonly onList: (name: string, parent: string | undefined, fieldName: string) => void
}

/** The key a paginated field's merged pages are stored under. @internal */
export const mergedFieldKey = (
  fieldName: string,
  args: Readonly<Record<string, unknown>> | null | undefined,
  spec: PaginationSpec
): string => {
  const base: Record<string, Key.Part> = {}
  if (args) { for (const k of Object.keys(args)) if (!spec.pageArgs.includes(k)) base[k] = args[k] as Key.Part }
  return keys.fieldKey(`${fieldName}@pages`, base)
}

/** Plans of one document for one set of variables. @internal */
export interface Instance {
  readonly variables: Variables
  /** Reads (paginated fields read their merged pages). */
  readonly read: ObjectPlan | UnionPlan
  /** Writes (paginated fields write their page). */
  readonly write: ObjectPlan | UnionPlan
}

/** A parsed and analysed document. @internal */
export interface Compiled {
  readonly kind: "query" | "mutation" | "subscription" | "fragment"
  /** `Query`, `Mutation`, `Subscription`, or a fragment's type condition. */
  readonly typename: string
  readonly document: DocumentNode
  /** The root fields' names (operations) in document order. */
  readonly instance: (variables: Variables | undefined) => Instance
}

const valueUsesVariables = (value: ValueNode): boolean => {
  switch (value.kind) {
    case Kind.VARIABLE:
      return true
    case Kind.LIST:
      return value.values.some(valueUsesVariables)
    case Kind.OBJECT:
      return value.fields.some((field) => valueUsesVariables(field.value))
    default:
      return false
  }
}

const argumentsUseVariables = (args: ReadonlyArray<ArgumentNode> | undefined): boolean =>
  args !== undefined && args.some((arg) => valueUsesVariables(arg.value))

const LEAF: LeafPlan = { _tag: "Leaf", ast: Schema.Unknown.ast }

const rootOf = (operation: OperationDefinitionNode): "Query" | "Mutation" | "Subscription" =>
  operation.operation === "mutation" ? "Mutation" : operation.operation === "subscription" ? "Subscription" : "Query"

/** The compiler of one `Documents` instance (its caches are per instance). @internal */
export const makeCompiler = (ctx: Context) => {
  const byDocument = new WeakMap<DocumentNode, Map<string, Compiled>>()
  const byText = new Map<string, DocumentNode>()
  const shapes = new Map<string, NodeShapes>()
  let ids = 1_000_000_000
  let roots = -1_000_000_000

  const shapesOf = (typename: string | undefined): NodeShapes => {
    const name = typename ?? ""
    let found = shapes.get(name)
    if (found === undefined) {
      found = { records: makeShape(), links: makeShape() }
      shapes.set(name, found)
    }
    return found
  }

  const documentOf = (input: string | DocumentNode): DocumentNode => {
    if (typeof input !== "string") return input
    let doc = byText.get(input)
    if (doc === undefined) {
      doc = parse(input)
      byText.set(input, doc)
    }
    return doc
  }

  const compile = (input: string | DocumentNode, fragmentName?: string): Compiled => {
    const document = documentOf(input)
    let perName = byDocument.get(document)
    if (perName === undefined) {
      perName = new Map()
      byDocument.set(document, perName)
    }
    const name = fragmentName ?? ""
    let compiled = perName.get(name)
    if (compiled === undefined) {
      compiled = analyse(document, fragmentName)
      perName.set(name, compiled)
    }
    return compiled
  }

  const analyse = (document: DocumentNode, fragmentName: string | undefined): Compiled => {
    const fragments = new Map<string, FragmentDefinitionNode>()
    let operation: OperationDefinitionNode | undefined
    for (const def of document.definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def)
      else if (def.kind === Kind.OPERATION_DEFINITION && operation === undefined) operation = def
    }
    let fragment: FragmentDefinitionNode | undefined
    if (fragmentName !== undefined) {
      fragment = fragments.get(fragmentName)
      if (fragment === undefined) throw new Error(`Documents: no fragment named ${fragmentName} in the document`)
    } else if (operation === undefined) {
      fragment = fragments.values().next().value
      if (fragment === undefined) throw new Error("Documents: the document has no operation and no fragment")
    }
    const defaults: Record<string, unknown> = {}
    for (const def of operation?.variableDefinitions ?? []) {
      if (def.defaultValue !== undefined) defaults[def.variable.name.value] = valueFromASTUntyped(def.defaultValue)
    }
    const usesVars = new WeakMap<SelectionSetNode, boolean>()
    const usesVariables = (set: SelectionSetNode): boolean => {
      let found = usesVars.get(set)
      if (found !== undefined) return found
      found = false
      for (const selection of set.selections) {
        if (selection.directives?.some((d) => argumentsUseVariables(d.arguments)) === true) found = true
        else if (selection.kind === Kind.FIELD) {
          if (argumentsUseVariables(selection.arguments)) found = true
          else if (selection.selectionSet !== undefined && usesVariables(selection.selectionSet)) found = true
        } else if (selection.kind === Kind.INLINE_FRAGMENT) found = usesVariables(selection.selectionSet)
        else {
          const def = fragments.get(selection.name.value)
          found = def !== undefined && usesVariables(def.selectionSet)
        }
        if (found) break
      }
      usesVars.set(set, found)
      return found
    }
    const shared = { read: new Map<SelectionSetNode, UnionPlan>(), write: new Map<SelectionSetNode, UnionPlan>() }
    const instances = new Map<string, Instance>()

    const build = (variables: Variables, mode: "read" | "write") => {
      const included = (directives: ReadonlyArray<DirectiveNode> | undefined): boolean => {
        if (directives === undefined) return true
        for (const directive of directives) {
          const name = directive.name.value
          if (name !== "skip" && name !== "include") continue
          const arg = directive.arguments?.find((a) => a.name.value === "if")
          const value = arg === undefined ? true : valueFromASTUntyped(arg.value, variables) === true
          if (name === "skip" ? value : !value) return false
        }
        return true
      }
      /** Whether a fragment on `condition` applies to `typename`: surely, or by guess (no schema, unknown type). */
      const matches = (condition: string, typename: string | undefined): "yes" | "guess" | "no" => {
        if (typename === undefined || condition === typename) return "yes"
        if (ctx.schema !== undefined) return ctx.schema.matches(condition, typename) ? "yes" : "no"
        return ctx.isConcrete(condition) ? "no" : "guess"
      }
      /** The fields of a selection by response name; `nullability` gets urql's `@_optional` / `@_required` of each. */
      const collect = (
        set: SelectionSetNode,
        typename: string | undefined,
        out: Map<string, Array<FieldNode>>,
        nullability: Map<FieldNode, Nullability>,
        inherited: Nullability | undefined,
        guessed: Set<FieldNode>,
        guessing: boolean,
        deferred: Set<FieldNode>,
        deferring: boolean
      ): void => {
        for (const selection of set.selections) {
          if (!included(selection.directives)) continue
          const mark = nullabilityOf(selection.directives) ?? inherited
          if (selection.kind === Kind.FIELD) {
            const key = selection.alias?.value ?? selection.name.value
            const list = out.get(key)
            if (list === undefined) out.set(key, [selection])
            else list.push(selection)
            if (mark !== undefined) nullability.set(selection, mark)
            if (guessing) guessed.add(selection)
            if (deferring) deferred.add(selection)
          } else {
            const condition = selection.kind === Kind.INLINE_FRAGMENT
              ? selection.typeCondition?.name.value
              : fragments.get(selection.name.value)?.typeCondition.name.value
            const body = selection.kind === Kind.INLINE_FRAGMENT
              ? selection.selectionSet
              : fragments.get(selection.name.value)?.selectionSet
            if (body === undefined) continue
            const match = condition === undefined ? "yes" : matches(condition, typename)
            if (match === "no") continue
            const defer = deferring || isDeferred(selection.directives, variables)
            collect(body, typename, out, nullability, mark, guessed, guessing || match === "guess", deferred, defer)
          }
        }
      }
      const argsOf = (field: FieldNode): Record<string, Key.Part> | undefined => {
        if (field.arguments === undefined || field.arguments.length === 0) return undefined
        const args: Record<string, Key.Part> = {}
        for (const arg of field.arguments) {
          const value = valueFromASTUntyped(arg.value, variables)
          if (value !== undefined) args[arg.name.value] = value as Key.Part
        }
        return args
      }
      const objectPlan = (set: SelectionSetNode, typename: string | undefined, root: boolean): ObjectPlan => {
        const entity = root || typename === undefined ? undefined : ctx.entity(typename)
        const plan: ObjectPlan = {
          _tag: "Object",
          id: root ? roots-- : ids++,
          entity,
          fields: [],
          hasLinks: false,
          guard: () => true,
          shape: makeShape(),
          nodeShapes: shapesOf(root ? keys.ROOT : typename)
        }
        const grouped = new Map<string, Array<FieldNode>>()
        const nullability = new Map<FieldNode, Nullability>()
        const guessed = new Set<FieldNode>()
        const deferred = new Set<FieldNode>()
        collect(set, typename, grouped, nullability, undefined, guessed, false, deferred, false)
        const fields: Array<FieldPlan> = []
        if (!root && !grouped.has("__typename")) fields.push(typenameField)
        for (const [name, nodes] of grouped) {
          let field = fieldPlan(name, nodes, typename)
          const mark = mode === "read" ? nullability.get(nodes[0]!) : undefined
          if (mark !== undefined && field !== typenameField) {
            field = mark === "required" ? { ...field, nullable: false, required: true } : { ...field, absentNull: true }
          }
          // a field only a guessed fragment asks for (a type unknown without a schema) is read when present,
          // left out without making the read incomplete when absent
          if (mode === "read" && field.fieldKey !== "__typename" && nodes.every((n) => guessed.has(n))) {
            field = { ...field, optional: true, incidental: true }
          }
          // a field only deferred fragments ask for is left out until its deferred result has come
          if (mode === "read" && field.fieldKey !== "__typename" && nodes.every((n) => deferred.has(n))) {
            field = { ...field, deferred: true }
          }
          fields.push(field)
        }
        plan.fields = fields
        plan.hasLinks = fields.some((f) => f.plan._tag !== "Leaf" || f.resolver !== undefined)
        return plan
      }
      const fieldPlan = (name: string, nodes: ReadonlyArray<FieldNode>, parent: string | undefined): FieldPlan => {
        const field = nodes[0]!
        const fieldName = field.name.value
        if (fieldName === "__typename") return name === "__typename" ? typenameField : { ...typenameField, name }
        const args = argsOf(field)
        if (parent !== undefined) {
          const list = field.directives?.find((d) => d.name.value === "list")
          const listName = list?.arguments?.find((a) => a.name.value === "name")
          if (listName !== undefined) ctx.onList(String(valueFromASTUntyped(listName.value)), parent, fieldName)
        }
        const spec = parent === undefined ? undefined : ctx.pagination(parent, fieldName)
        const fieldKey = spec !== undefined && mode === "read"
          ? mergedFieldKey(fieldName, args, spec)
          : keys.fieldKey(fieldName, args)
        const type = parent === undefined ? undefined : ctx.schema?.field(parent, fieldName)
        const nullable = type?.nullable ?? false
        const sets = nodes.flatMap((n) => (n.selectionSet === undefined ? [] : [n.selectionSet]))
        const local = mode === "read" && parent !== undefined ? ctx.resolver(parent, fieldName) : undefined
        const resolverArgs: Variables = args ?? {}
        const resolver = local === undefined
          ? {}
          : { resolver: (parentKey: string | undefined) => local(parentKey, resolverArgs, sets.length > 0) }
        if (sets.length === 0) {
          return { name, fieldKey, optional: false, nullable, plan: LEAF, ast: LEAF.ast, ...resolver }
        }
        const set: SelectionSetNode = sets.length === 1
          ? sets[0]!
          : { kind: Kind.SELECTION_SET, selections: sets.flatMap((s) => s.selections) } as SelectionSetNode
        const plan = selectionPlan(set, type?.concrete === true ? type.named : undefined, type?.itemNullable ?? false)
        return { name, fieldKey, optional: false, nullable, plan, ast: LEAF.ast, ...resolver }
      }
      const selectionPlan = (
        set: SelectionSetNode,
        staticType: string | undefined,
        itemNullable: boolean
      ): UnionPlan => {
        const share = !usesVariables(set)
        if (share) {
          const found = shared[mode].get(set)
          if (found !== undefined) return found
        }
        const byType = new Map<string | undefined, { readonly plan: ObjectPlan; readonly generation: number }>()
        const members: Array<ObjectPlan | ArrayPlan> = []
        const union: UnionPlan = {
          _tag: "Union",
          members,
          guard: () => true,
          select: (typename) => {
            const type = typename ?? staticType
            const found = byType.get(type)
            if (found !== undefined && (ctx.schema !== undefined || found.generation === ctx.generation())) {
              return found.plan
            }
            const plan = objectPlan(set, type, false)
            byType.set(type, { plan, generation: ctx.generation() })
            return plan
          }
        }
        members.push({ _tag: "Array", item: union, itemNullable, guard: Array.isArray })
        if (share) shared[mode].set(set, union)
        return union
      }
      if (fragment !== undefined) return selectionPlan(fragment.selectionSet, undefined, false)
      return objectPlan(operation!.selectionSet, rootOf(operation!), true)
    }

    return {
      kind: fragment !== undefined ? "fragment" : operation!.operation as Compiled["kind"],
      typename: fragment !== undefined ? fragment.typeCondition.name.value : rootOf(operation!),
      document,
      instance: (given) => {
        let variables: Variables = given ?? {}
        for (const k in defaults) {
          if (variables[k] === undefined) variables = { ...variables, [k]: defaults[k] }
        }
        const id = Key.canonical(variables as Key.Part)
        let found = instances.get(id)
        if (found === undefined) {
          const read = build(variables, "read")
          found = { variables, read, write: ctx.paginated || ctx.resolving ? build(variables, "write") : read }
          if (instances.size >= 64) instances.delete(instances.keys().next().value as string)
          instances.set(id, found)
        }
        return found
      }
    }
  }

  return { compile, documentOf }
}

/** urql's client-controlled nullability of a selection: `@_optional` or `@_required`. */
type Nullability = "optional" | "required"

const nullabilityOf = (directives: ReadonlyArray<DirectiveNode> | undefined): Nullability | undefined => {
  if (directives === undefined) return undefined
  for (const directive of directives) {
    if (directive.name.value === "_optional") return "optional"
    if (directive.name.value === "_required") return "required"
  }
  return undefined
}

/** Whether a fragment is deferred: `@defer`, unless its `if` is false. */
const isDeferred = (directives: ReadonlyArray<DirectiveNode> | undefined, variables: Variables): boolean => {
  const defer = directives?.find((d) => d.name.value === "defer")
  if (defer === undefined) return false
  const arg = defer.arguments?.find((a) => a.name.value === "if")
  return arg === undefined || valueFromASTUntyped(arg.value, variables) !== false
}

/** `__typename`, present in every selection: read when it was written, left out when not. */
const typenameField: FieldPlan = {
  name: "__typename",
  fieldKey: "__typename",
  optional: true,
  incidental: true,
  nullable: false,
  plan: LEAF,
  ast: LEAF.ast
}

/** @internal */
export type DocumentCompiler = ReturnType<typeof makeCompiler>
