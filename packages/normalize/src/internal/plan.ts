/**
 * Compiles a Schema into a plan: which parts of a value are entities (stored once, linked),
 * embedded objects holding entities (stored as keyless records), lists of links, and leaves
 * (stored as they are).
 * @internal
 */
import { Schema, SchemaAST as AST } from "effect"

import type { EntityConfig, FieldConfig } from "../Normalize.js"
import { EntityAnnotationId, FieldAnnotationId } from "../Normalize.js"
import * as keys from "./keys.js"

/**
 * A constructor of plain objects (their prototype is `Object.prototype`, so they are
 * indistinguishable from object literals) whose instances share a hidden class of their own: V8
 * sizes them to the properties they end up with instead of an object literal's default, so a
 * read result or record of five fields takes 64 bytes instead of 96. One per Schema (read
 * results) or per typename (records and links). No code generation (`new Function`) is involved.
 * @internal
 */
export type Shape = new() => Record<string, unknown>

/** @internal */
export const makeShape = (): Shape => {
  const Shape = function() {} as unknown as Shape
  ;(Shape as unknown as { prototype: object }).prototype = Object.prototype
  return Shape
}

/** The shapes of the records and links of the nodes of one typename (or of one embedded plan). @internal */
export interface NodeShapes {
  readonly records: Shape
  readonly links: Shape
}

/** @internal */
export interface LeafPlan {
  readonly _tag: "Leaf"
  readonly ast: AST.AST
}

/** @internal */
export interface ObjectPlan {
  readonly _tag: "Object"
  readonly id: number
  /** `undefined` for embedded objects. */
  entity: EntityConfig | undefined
  fields: ReadonlyArray<FieldPlan>
  /** Whether some field holds a link (otherwise a memo with an unchanged node version is valid). */
  hasLinks: boolean
  readonly guard: (u: unknown) => boolean
  /** The constructor of this plan's read results. */
  readonly shape: Shape
  /** The shapes of the records and links of the nodes this plan writes (shared by the plans of a typename). */
  nodeShapes: NodeShapes
  /** Set on the synthetic plan of a root read: the memo of that read. */
  rootMemo?: unknown
}

/** @internal */
export interface ArrayPlan {
  readonly _tag: "Array"
  readonly item: Plan
  readonly itemNullable: boolean
  readonly guard: (u: unknown) => boolean
}

/** @internal */
export interface UnionPlan {
  readonly _tag: "Union"
  readonly members: ReadonlyArray<Plan>
  readonly guard: (u: unknown) => boolean
  /**
   * Set by the document front end: the object plan for a typename (the `__typename` of written
   * data, the typename of a node read), used instead of `guard` for objects.
   */
  readonly select?: (typename: string | undefined) => ObjectPlan
}

/** @internal */
export type Plan = LeafPlan | ObjectPlan | ArrayPlan | UnionPlan

/** @internal */
export interface FieldPlan {
  /** The property name in the value. */
  readonly name: string
  /** The field key it is stored under (`name` or `name({...args})`). */
  readonly fieldKey: string
  readonly optional: boolean
  /**
   * Set on the document front end's `__typename`: a write without the field keeps the stored
   * value, and a read of a node without it leaves it out and stays complete.
   */
  readonly incidental?: boolean
  /**
   * Set by the document front end on a field with a local resolver: computes the field from the
   * parent's key each time the parent is read (a link for fields with a selection, else a value;
   * `undefined` when missing) instead of reading what is stored.
   */
  readonly resolver?: (parentKey: string | undefined) => unknown
  readonly nullable: boolean
  /**
   * Set by the document front end on a field under urql's `@_optional`: read as null (the read
   * incomplete) when it is not in the graph, as a nullable field is.
   */
  readonly absentNull?: boolean
  /** Set by the document front end on a field under `@defer`: left out while absent (the read incomplete). */
  readonly deferred?: boolean
  /** Set by the document front end on a field under urql's `@_required`: a null value reads as missing. */
  readonly required?: boolean
  readonly plan: Plan
  /** The property Schema (for snapshot encoding of leaves). */
  readonly ast: AST.AST
}

/** @internal */
export interface Compiler {
  readonly compile: (ast: AST.AST) => Plan
  readonly entities: Map<string, EntityConfig>
  /** The first entity plan compiled for each typename (to write results found by `__typename`). */
  readonly entityPlans: Map<string, ObjectPlan>
  /** Leaf ASTs by `typename.fieldName`, for encoding snapshots and decoding restored values. */
  readonly leaves: Map<string, AST.AST>
  /** The plan of a root field read: a synthetic object with one field stored under `fieldKey`. */
  readonly root: (name: string, fieldKey: string, ast: AST.AST) => ObjectPlan
}

const isNullish = (ast: AST.AST): boolean =>
  (ast._tag === "Literal" && ast.literal === null) || ast._tag === "UndefinedKeyword" || ast._tag === "VoidKeyword"

const isNull = (ast: AST.AST): boolean => ast._tag === "Literal" && ast.literal === null

/** Whether a plan is stored as a link (possibly nested in arrays). @internal */
export const isLinkPlan = (plan: Plan): boolean => plan._tag !== "Leaf"

/** @internal */
export const makeCompiler = (): Compiler => {
  const cache = new Map<AST.AST, Plan>()
  const entities = new Map<string, EntityConfig>()
  const entityPlans = new Map<string, ObjectPlan>()
  const shapesByType = new Map<string, NodeShapes>()
  const nodeShapes = (typename: string | undefined): NodeShapes => {
    if (typename === undefined) return { records: makeShape(), links: makeShape() }
    let shapes = shapesByType.get(typename)
    if (shapes === undefined) {
      shapes = { records: makeShape(), links: makeShape() }
      shapesByType.set(typename, shapes)
    }
    return shapes
  }
  const leaves = new Map<string, AST.AST>()
  let ids = 0

  const guardOf = (ast: AST.AST): (u: unknown) => boolean => {
    let guard: ((u: unknown) => boolean) | undefined
    return (u) => {
      if (guard === undefined) guard = Schema.is(Schema.make(AST.typeAST(ast)))
      return guard(u)
    }
  }

  /** Strips refinements, transformations and suspensions; returns the type-side node. */
  const unwrap = (ast: AST.AST, visit: (config: EntityConfig) => void): AST.AST => {
    let current = ast
    for (;;) {
      const entity = current.annotations[EntityAnnotationId] as EntityConfig | undefined
      if (entity !== undefined) visit(entity)
      switch (current._tag) {
        case "Refinement":
          current = current.from
          continue
        case "Transformation":
          current = current.to
          continue
        case "Suspend":
          current = current.f()
          continue
        default:
          return current
      }
    }
  }

  const compile = (ast: AST.AST): Plan => {
    const cached = cache.get(ast)
    if (cached !== undefined) return cached
    let entity: EntityConfig | undefined
    const node = unwrap(ast, (config) => {
      if (entity === undefined) entity = config
    })
    if (node !== ast) {
      const inner = cache.get(node)
      if (inner !== undefined && entity === undefined) {
        cache.set(ast, inner)
        return inner
      }
    }
    switch (node._tag) {
      case "TypeLiteral": {
        if (node.propertySignatures.length === 0) return leaf(ast)
        const plan: ObjectPlan = {
          _tag: "Object",
          id: ids++,
          entity,
          fields: [],
          hasLinks: false,
          guard: guardOf(ast),
          shape: makeShape(),
          nodeShapes: nodeShapes(entity?.typename)
        }
        cache.set(ast, plan)
        if (node !== ast && entity === undefined) cache.set(node, plan)
        if (entity !== undefined) {
          entities.set(entity.typename, entity)
          if (!entityPlans.has(entity.typename)) entityPlans.set(entity.typename, plan)
        }
        const fields: Array<FieldPlan> = []
        for (const property of node.propertySignatures) {
          if (typeof property.name !== "string") continue
          fields.push(compileField(property.name, property.type, property.isOptional, entity))
        }
        plan.fields = fields
        plan.hasLinks = fields.some((f) => isLinkPlan(f.plan))
        if (entity === undefined && !plan.hasLinks) {
          const result = leaf(ast)
          cache.set(ast, result)
          return result
        }
        return plan
      }
      case "TupleType": {
        if (node.elements.length > 0 || node.rest.length !== 1) return leaf(ast)
        const itemAst = node.rest[0]!.type
        const { inner, nullable } = splitNullable(itemAst)
        const item = inner === undefined ? leaf(itemAst) : compile(inner)
        if (item._tag === "Leaf") return leaf(ast)
        const plan: ArrayPlan = { _tag: "Array", item, itemNullable: nullable, guard: guardOf(ast) }
        cache.set(ast, plan)
        return plan
      }
      case "Union": {
        const { inner } = splitNullable(node)
        if (inner === undefined) return leaf(ast)
        if (inner !== node && inner !== ast) {
          // null / undefined members: the position's nullability is handled by the caller
          return compile(inner)
        }
        const members = node.types.map(compile)
        if (members.every((m) => m._tag === "Leaf")) return leaf(ast)
        const plan: UnionPlan = { _tag: "Union", members, guard: guardOf(ast) }
        cache.set(ast, plan)
        return plan
      }
      default:
        return leaf(ast)
    }
  }

  const leaf = (ast: AST.AST): LeafPlan => {
    const plan: LeafPlan = { _tag: "Leaf", ast }
    cache.set(ast, plan)
    return plan
  }

  const splitNullable = (ast: AST.AST): { inner: AST.AST | undefined; nullable: boolean } => {
    let current = ast
    while (current._tag === "Refinement" || (current._tag === "Transformation" && isUnionLike(current.to))) {
      current = current._tag === "Refinement" ? current.from : current.to
    }
    if (current._tag !== "Union") return { inner: isNullish(current) ? undefined : ast, nullable: isNull(current) }
    const rest = current.types.filter((t) => !isNullish(t))
    const nullable = current.types.some(isNull)
    if (rest.length === current.types.length) return { inner: ast, nullable: false }
    if (rest.length === 0) return { inner: undefined, nullable }
    return { inner: rest.length === 1 ? rest[0]! : AST.Union.make(rest), nullable }
  }

  const isUnionLike = (ast: AST.AST): boolean => ast._tag === "Union"

  const compileField = (
    name: string,
    type: AST.AST,
    optional: boolean,
    owner: EntityConfig | undefined
  ): FieldPlan => {
    const config = fieldConfig(type)
    const storedName = config?.name ?? name
    const fieldKey = keys.fieldKey(storedName, config?.args)
    const { inner, nullable } = splitNullable(type)
    const plan = inner === undefined ? leaf(type) : compile(inner)
    if (plan._tag === "Leaf" && owner !== undefined) leaves.set(`${owner.typename}.${fieldKey}`, type)
    return { name, fieldKey, optional, nullable, plan, ast: type }
  }

  const fieldConfig = (ast: AST.AST): FieldConfig | undefined => {
    let current = ast
    for (let depth = 0; depth < 8; depth++) {
      const found = current.annotations[FieldAnnotationId] as FieldConfig | undefined
      if (found !== undefined) return found
      if (current._tag === "Refinement") current = current.from
      else if (current._tag === "Transformation") current = current.to
      else return undefined
    }
    return undefined
  }

  let roots = 0
  const root = (name: string, fieldKey: string, ast: AST.AST): ObjectPlan => {
    const field = compileField(name, ast, false, undefined)
    if (field.plan._tag === "Leaf") leaves.set(`${keys.ROOT}.${fieldKey}`, ast)
    const fp: FieldPlan = { ...field, fieldKey }
    return {
      _tag: "Object",
      id: -++roots,
      entity: undefined,
      fields: [fp],
      hasLinks: isLinkPlan(fp.plan),
      guard: () => true,
      shape: makeShape(),
      nodeShapes: nodeShapes(keys.ROOT)
    }
  }

  return { compile, entities, entityPlans, leaves, root }
}
