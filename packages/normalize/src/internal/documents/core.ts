/**
 * The document front end's synchronous operations over a graph's store: reading and writing
 * operations and fragments through compiled plans, the urql cache API, Houdini's list operations,
 * and urql 7's rule for mutation results no updater handles.
 * @internal
 */
import { Key } from "@cachet/core"

import type * as D from "../../Documents.js"
import type { EntityConfig } from "../../Normalize.js"
import type { Internals } from "../graph.js"
import * as keys from "../keys.js"
import type { ObjectPlan, UnionPlan } from "../plan.js"
import type { Link, Node, ReadOutput, Write } from "../store.js"
import { forEachKey, MISSING, NONE } from "../store.js"
import type { Compiled, PaginationSpec, Variables } from "./compile.js"
import { makeCompiler } from "./compile.js"
import { remerge } from "./pagination.js"
import { PaginationTypeId } from "./paginationConfig.js"
import * as schemaInfo from "./schema.js"

type Data = Record<string, unknown>

type ListMode = "append" | "prepend" | "remove" | "toggle"

const isPlainObject = (value: unknown): value is Data =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const clone = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(clone)
  if (isPlainObject(value)) {
    const out: Data = {}
    for (const k of Object.keys(value)) out[k] = clone(value[k])
    return out
  }
  return value
}

/** The result of a read as the front end returns it. @internal */
export const toResult = <A>(
  out: ReadOutput,
  partial: boolean
): { data: A | null; complete: boolean; stale: boolean } => {
  let data: unknown = out.value === MISSING ? null : out.value
  if (!out.complete && !partial) data = null
  return { data: (data ?? null) as A | null, complete: out.complete, stale: out.stale }
}

/** @internal */
export const makeCore = (internals: Internals, config: D.Options) => {
  const { ops, state } = internals
  const store = state.store
  const schema = config.schema === undefined ? undefined : schemaInfo.make(config.schema)
  const entityConfigs = new Map<string, EntityConfig | null>()
  /** Bumped when a typename becomes known (fragment matching without a schema depends on it). */
  let generation = 0
  const specs = new Map<string, Map<string, PaginationSpec>>()
  for (const [typename, fields] of Object.entries(config.resolvers ?? {})) {
    for (const [fieldName, resolver] of Object.entries(fields)) {
      if (typeof resolver === "function") continue
      const spec = resolver[PaginationTypeId]
      if (spec === undefined) continue
      let map = specs.get(typename)
      if (map === undefined) specs.set(typename, map = new Map())
      map.set(fieldName, spec)
    }
  }
  const lists = new Map<string, { readonly parent: string | undefined; readonly fieldName: string }>()

  const entityConfig = (typename: string): EntityConfig | undefined => {
    let found = entityConfigs.get(typename)
    if (found === undefined) {
      if (typename === keys.ROOT || typename === "Mutation" || typename === "Subscription") found = null
      else if (config.keys !== undefined && Object.prototype.hasOwnProperty.call(config.keys, typename)) {
        const generator = config.keys[typename]
        found = generator === null || generator === undefined
          ? null
          : { typename, keys: generator as unknown as (entity: never) => string | null | undefined }
      } else {
        found = {
          typename,
          keys: ((entity: Data) => (entity.id ?? entity._id) as string | undefined) as unknown as EntityConfig["keys"]
        }
      }
      entityConfigs.set(typename, found)
      generation++
      if (found !== null && !state.compiler.entities.has(typename)) state.compiler.entities.set(typename, found)
    }
    return found ?? undefined
  }

  let resolverCache: D.Cache | undefined
  const resolving = Object.values(config.resolvers ?? {}).some((fields) =>
    Object.values(fields).some((resolver) => typeof resolver === "function")
  )
  const parentData = (key: string | undefined): D.DataObject => {
    const node = key === undefined ? undefined : store.nodes.get(key)
    const out: D.DataObject = {}
    if (node === undefined) return out
    for (const fk of store.fieldKeys(node)) {
      const link = store.getLink(node, fk)
      const value = link === NONE ? store.getRecord(node, fk) : link
      if (value !== NONE) out[fk] = value as D.DataField
    }
    const typename = store.typenameAt(node.key)
    if (typename !== undefined) out.__typename = typename
    return out
  }

  const compiler = makeCompiler({
    resolving,
    resolver: (typename, fieldName) => {
      const resolver = config.resolvers?.[typename]?.[fieldName]
      if (typeof resolver !== "function") return undefined
      return (parentKey, args, isLink) => {
        const value = resolver(parentData(parentKey), args, resolverCache!, {
          parentTypeName: typename,
          parentKey: parentKey ?? typename,
          parentFieldKey: keyOfField(fieldName, args),
          fieldName,
          variables: args,
          optimistic: false
        })
        return isLink && value !== undefined ? linkOf(value as D.LinkInput) : value
      }
    },
    entity: entityConfig,
    schema,
    isConcrete: (typename) =>
      (config.keys !== undefined && typename in config.keys) || state.compiler.entities.has(typename) ||
      entityConfigs.has(typename),
    generation: () => generation,
    pagination: (typename, fieldName) => specs.get(typename)?.get(fieldName),
    paginated: specs.size > 0,
    onList: (name, parent, fieldName) => lists.set(name, { parent, fieldName })
  })

  const compile = (document: D.DocumentInput<unknown, unknown>, fragmentName?: string): Compiled =>
    compiler.compile(document as string, fragmentName)

  // -----------------------------------------------------------------------------------------------
  // keys

  const keyOfEntity = (entity: D.Entity | null | undefined): string | null => {
    if (entity === null || entity === undefined) return null
    if (typeof entity === "string") return entity
    const typename = entity.__typename
    if (typeof typename !== "string") return null
    if (typename === keys.ROOT) return keys.ROOT
    const found = entityConfig(typename)
    return found === undefined ? null : keys.entityKey(found, entity) ?? null
  }

  const keyOfField = (fieldName: string, args?: Variables | null): string =>
    keys.fieldKey(fieldName, (args ?? undefined) as never)

  const linkOf = (input: D.LinkInput): Link => {
    if (input === null || input === undefined) return null
    if (Array.isArray(input)) return input.map(linkOf)
    return keyOfEntity(input as D.Entity)
  }

  // -----------------------------------------------------------------------------------------------
  // operations and fragments

  /** Reads an operation's root plan (and marks its root fields recently used). */
  const readPlan = <A>(plan: ObjectPlan, now: number, partial: boolean) => {
    for (const fp of plan.fields) ops.touch(fp.fieldKey)
    return toResult<A>(store.readRoot(plan, now), partial)
  }

  const readOperation = <A>(compiled: Compiled, variables: Variables | undefined, now: number, partial: boolean) =>
    readPlan<A>(compiled.instance(variables).read as ObjectPlan, now, partial)

  const writeOperation = (w: Write, compiled: Compiled, variables: Variables | undefined, data: unknown): void => {
    if (!isPlainObject(data)) return
    const plan = compiled.instance(variables).write as ObjectPlan
    const root = compiled.typename === keys.ROOT
    for (const fp of plan.fields) {
      if (!Object.prototype.hasOwnProperty.call(data, fp.name)) continue
      const value = data[fp.name]
      if (root) {
        ops.touch(fp.fieldKey)
        store.writeField(w, store.root, fp, value)
      } else if (fp.plan._tag !== "Leaf") store.writeLink(w, fp.plan, value, `${compiled.typename}.${fp.fieldKey}`)
    }
  }

  const fragmentPlan = (
    compiled: Compiled,
    variables: Variables | undefined,
    mode: "read" | "write",
    typename: string | undefined
  ) => {
    if (compiled.kind !== "fragment") throw new Error("Documents: a fragment document was expected")
    const union = compiled.instance(variables)[mode] as UnionPlan
    return union.select!(typename ?? (schema?.isAbstract(compiled.typename) === true ? undefined : compiled.typename))
  }

  const readFragment = <A>(
    compiled: Compiled,
    entity: D.Entity,
    variables: Variables | undefined,
    now: number
  ): A | null => {
    const key = keyOfEntity(entity)
    if (key === null || !store.nodes.has(key)) return null
    const plan = fragmentPlan(compiled, variables, "read", store.typenameAt(key))
    const out = store.readKey(plan, key, now)
    return out.complete && out.value !== MISSING ? (out.value as A) : null
  }

  const writeFragment = (w: Write, compiled: Compiled, data: unknown, variables: Variables | undefined): void => {
    if (!isPlainObject(data)) return
    const typename = typeof data.__typename === "string" ? data.__typename : undefined
    const plan = fragmentPlan(compiled, variables, "write", typename)
    const key = plan.entity === undefined ? undefined : keys.entityKey(plan.entity, data)
    if (key === undefined) {
      w.warnings.push(`writeFragment: the ${typename ?? compiled.typename} has no key; nothing was written`)
      return
    }
    store.writeObject(w, plan, typename === undefined ? { ...data, __typename: plan.entity!.typename } : data, key)
  }

  // -----------------------------------------------------------------------------------------------
  // fields

  const nodeOf = (entity: D.Entity | null | undefined) => {
    const key = keyOfEntity(entity)
    return key === null ? undefined : store.nodes.get(key)
  }

  const resolve = (entity: D.Entity | null | undefined, fieldName: string, args?: Variables | null): D.DataField => {
    const node = nodeOf(entity)
    if (node === undefined) return undefined
    const fk = fieldName.includes("(") ? fieldName : keyOfField(fieldName, args)
    const link = store.getLink(node, fk)
    if (link !== NONE) return link as D.DataField
    const record = store.getRecord(node, fk)
    return record === NONE ? undefined : (record as D.DataField)
  }

  const inspectFields = (entity: D.Entity) => {
    const key = keyOfEntity(entity)
    return key === null ? [] : ops.inspectFields(key).filter((f) => !f.fieldName.includes("@"))
  }

  const invalidate = (w: Write, entity: D.Entity, fieldName?: string, args?: Variables | null): void => {
    if (
      typeof entity === "string" && fieldName === undefined && !entity.includes(":") && entity !== keys.ROOT &&
      !store.nodes.has(entity)
    ) {
      ops.invalidateType(w, entity)
      return
    }
    const key = keyOfEntity(entity)
    if (key === null) return
    if (fieldName === undefined) ops.invalidate(w, key)
    else {
      const node = store.nodes.get(key)
      const fk = fieldName.includes("(") ? fieldName : keyOfField(fieldName, args)
      if (node !== undefined) store.removeField(w, node, fk)
    }
  }

  const link = (
    w: Write,
    entity: D.Entity,
    fieldName: string,
    args: Variables | null | undefined,
    target: D.LinkInput
  ): void => {
    const key = keyOfEntity(entity)
    if (key === null) {
      w.warnings.push("link: the entity has no key; nothing was linked")
      return
    }
    ops.link(w, key, fieldName.includes("(") ? fieldName : keyOfField(fieldName, args), linkOf(target))
  }

  // -----------------------------------------------------------------------------------------------
  // Houdini lists

  const listInstances = (nameOrField: string, options: D.ListOptions | undefined) => {
    const registered = lists.get(nameOrField)
    const dot = nameOrField.indexOf(".")
    const parentType = registered?.parent ?? (dot > 0 ? nameOrField.slice(0, dot) : keys.ROOT)
    const fieldName = registered?.fieldName ?? (dot > 0 ? nameOrField.slice(dot + 1) : nameOrField)
    const parentId = options?.parentId
    const parents = parentId === undefined || options?.allLists === true
      ? [...store.nodes.values()].filter((n) =>
        parentType === keys.ROOT ? n.key === keys.ROOT : n.typename === parentType
      )
      : [
        nodeOf(
          typeof parentId === "string" && !parentId.includes(":") && parentId !== keys.ROOT
            ? `${parentType}:${parentId}`
            : parentId
        )
      ]
    const when = options?.when
    const out: Array<{ readonly node: NonNullable<ReturnType<typeof nodeOf>>; readonly fk: string }> = []
    for (const node of parents) {
      if (node === undefined) continue
      for (const fk of store.fieldKeys(node)) {
        if (keys.fieldNameOf(fk) !== fieldName) continue
        if (when !== undefined) {
          const args = keys.argsOf(fk) ?? {}
          if (!Object.keys(when).every((k) => Key.canonical(args[k] as Key.Part) === Key.canonical(when[k]))) continue
        }
        out.push({ node, fk })
      }
    }
    return out
  }

  const listOp = (
    w: Write,
    nameOrField: string,
    options: D.ListOptions | undefined,
    op: ListMode,
    entity: D.Entity
  ): void => {
    const key = keyOfEntity(entity)
    if (key === null) {
      w.warnings.push(`list ${nameOrField}: the entity has no key; nothing changed`)
      return
    }
    if (typeof entity === "object") {
      const node = store.ensureNode(key, keys.typenameOf(key))
      for (const [field, value] of Object.entries(entity)) {
        if (value === null || typeof value !== "object") store.setRecord(w, node, field, value)
      }
    }
    for (const { fk, node } of listInstances(nameOrField, options)) {
      const current = store.getLink(node, fk)
      if (Array.isArray(current)) {
        changeList(w, node, fk, current, key, op)
        continue
      }
      // a connection: its `nodes` list and its `edges` (an edge is created for an added entity)
      const connection = typeof current === "string" ? store.nodes.get(current) : undefined
      if (connection === undefined) continue
      const nodes = store.getLink(connection, "nodes")
      if (Array.isArray(nodes)) changeList(w, connection, "nodes", nodes, key, op)
      const edges = store.getLink(connection, "edges")
      if (Array.isArray(edges)) changeEdges(w, connection, edges, key, op)
    }
  }

  const changeList = (
    w: Write,
    node: Node,
    fk: string,
    current: ReadonlyArray<Link>,
    key: string,
    op: ListMode
  ): void => {
    const has = current.includes(key)
    const mode = op === "toggle" ? (has ? "remove" : "append") : op
    if (mode === "remove") {
      if (has) store.setLink(w, node, fk, current.filter((k) => k !== key))
    } else if (!has) store.setLink(w, node, fk, mode === "append" ? [...current, key] : [key, ...current])
  }

  const changeEdges = (w: Write, connection: Node, edges: ReadonlyArray<Link>, key: string, op: ListMode): void => {
    const holds = (edge: Link): boolean => {
      const node = typeof edge === "string" ? store.nodes.get(edge) : undefined
      return node !== undefined && store.getLink(node, "node") === key
    }
    const has = edges.some(holds)
    const mode = op === "toggle" ? (has ? "remove" : "append") : op
    if (mode === "remove") {
      if (has) store.setLink(w, connection, "edges", edges.filter((edge) => !holds(edge)))
      return
    }
    if (has) return
    const sibling = edges.find((edge) => typeof edge === "string" && store.nodes.has(edge))
    const typename = sibling === undefined
      ? undefined
      : store.getRecord(store.nodes.get(sibling as string)!, "__typename")
    const edge = store.ensureNode(`${connection.key}.edges.${key}`, undefined)
    if (typename !== NONE && typename !== undefined) store.setRecord(w, edge, "__typename", typename)
    store.setRecord(w, edge, "cursor", null)
    store.setLink(w, edge, "node", key)
    store.setLink(w, connection, "edges", mode === "append" ? [...edges, edge.key] : [edge.key, ...edges])
  }

  // -----------------------------------------------------------------------------------------------
  // urql 7: a mutation result no updater handles, of an entity no list holds

  const referenced = (key: string): boolean => {
    for (const node of store.nodes.values()) {
      let found = false
      store.linksOf(node, (l) =>
        forEachKey(l, (k) => {
          if (k === key) found = true
        }))
      if (found) return true
    }
    return false
  }

  const invalidateListsOf = (w: Write, typename: string): void => {
    for (const node of store.nodes.values()) {
      const fields: Array<string> = []
      for (const fk of store.fieldKeys(node)) {
        const l = store.getLink(node, fk)
        if (!Array.isArray(l)) continue
        let first: string | undefined
        forEachKey(l, (k) => (first ??= k))
        if (first !== undefined && keys.typenameOf(first) === typename) fields.push(fk)
      }
      for (const fk of fields) store.removeField(w, node, fk)
    }
  }

  /** Before writing a mutation field's result without an updater: the types of its entities that no link holds yet. */
  const unknownTypes = (value: unknown): Set<string> => {
    const out = new Set<string>()
    const visit = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(visit)
      else if (isPlainObject(v) && typeof v.__typename === "string") {
        const key = keyOfEntity(v as D.Entity)
        if (key !== null && key.includes(":") && !referenced(key)) out.add(v.__typename)
      }
    }
    visit(value)
    return out
  }

  return {
    store,
    specs,
    /** Sets the read-only cache given to local resolvers. */
    setResolverCache: (cache: D.Cache) => void (resolverCache = cache),
    compile,
    keyOfEntity,
    keyOfField,
    readPlan,
    readOperation,
    writeOperation,
    readFragment,
    writeFragment,
    resolve,
    inspectFields,
    invalidate,
    link,
    listOp,
    unknownTypes,
    invalidateListsOf,
    remerge: (w: Write) => remerge(store, w, specs),
    updateQuery: (w: Write, compiled: Compiled, variables: Variables | undefined, f: (data: unknown) => unknown) => {
      const current = readOperation<unknown>(compiled, variables, w.now, false)
      const next = f(current.data === null ? null : clone(current.data))
      if (next !== null && next !== undefined) writeOperation(w, compiled, variables, next)
    }
  }
}

/** @internal */
export type Core = ReturnType<typeof makeCore>
