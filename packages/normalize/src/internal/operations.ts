/**
 * The synchronous operations of a graph over its store (reads at a time, writes in a
 * {@link Write}), shared by the service, transactions and the document front end.
 * @internal
 */
import type { Schema } from "effect"

import type * as EG from "../EntityGraph.js"
import * as keys from "./keys.js"
import type { ObjectPlan } from "./plan.js"
import { touch } from "./retention.js"
import type { State } from "./state.js"
import type { Link, ReadOutput, Write } from "./store.js"
import { MISSING, NONE } from "./store.js"

/** A Schema with its types forgotten (operations work on its AST). @internal */
export type AnySchema = Schema.Schema<unknown, unknown, never>

/** The result of a read as the API gives it: the field's value (null when incomplete unless partial). @internal */
export const toResult = <A>(out: ReadOutput, field: string | undefined, partial: boolean): EG.ReadResult<A> => {
  let data: unknown = out.value === MISSING
    ? null
    : field === undefined
    ? out.value
    : (out.value as Record<string, unknown>)[field]
  if (data === undefined) data = null
  if (!out.complete && !partial) data = null
  return { data: data as A | null, complete: out.complete, stale: out.stale }
}

const cloneData = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(cloneData)
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value)) out[k] = cloneData((value as Record<string, unknown>)[k])
    return out
  }
  return value
}

/** The operations of one graph state. @internal */
export const makeOperations = (state: State) => {
  const { compiler, store } = state

  const rootPlan = (field: string, args: EG.Args, schema: AnySchema): ObjectPlan => {
    const fieldKey = keys.fieldKey(field, args ?? undefined)
    let bySchema = state.rootPlans.get(fieldKey)
    if (bySchema === undefined) {
      bySchema = new Map()
      state.rootPlans.set(fieldKey, bySchema)
    }
    let plan = bySchema.get(schema.ast)
    if (plan === undefined) {
      plan = compiler.root(field, fieldKey, schema.ast)
      bySchema.set(schema.ast, plan)
    }
    return plan
  }

  const keyOfRef = (entity: EG.EntityRef): string | null => {
    if (typeof entity === "string") return entity
    const typename = entity.__typename
    if (typename === keys.ROOT) return keys.ROOT
    const config = compiler.entities.get(typename) ?? { typename, keys: ["id"] }
    return keys.entityKey(config, entity) ?? null
  }

  const fieldKeyOf = (field: string, args: EG.Args | undefined): string =>
    args === undefined || args === null ? field : keys.fieldKey(field, args)

  const readQuery = <A>(
    now: number,
    field: string,
    args: EG.Args,
    schema: AnySchema,
    partial: boolean
  ): EG.ReadResult<A> => {
    const plan = rootPlan(field, args, schema)
    touch(state, plan.fields[0]!.fieldKey)
    return toResult<A>(store.readRoot(plan, now), field, partial)
  }

  const writeQuery = (w: Write, field: string, args: EG.Args, schema: AnySchema, data: unknown): void => {
    const plan = rootPlan(field, args, schema)
    const fp = plan.fields[0]!
    touch(state, fp.fieldKey)
    store.writeField(w, store.root, fp, data)
  }

  const objectPlan = (schema: AnySchema): ObjectPlan | undefined => {
    const plan = compiler.compile(schema.ast)
    return plan._tag === "Object" ? plan : undefined
  }

  const writeFragment = (w: Write, schema: AnySchema, data: unknown): string | null => {
    const plan = objectPlan(schema)
    if (plan === undefined || plan.entity === undefined) {
      w.warnings.push("writeFragment: the Schema is not an entity (see Normalize.entity); nothing was written")
      return null
    }
    const key = keys.entityKey(plan.entity, data)
    if (key === undefined) {
      w.warnings.push(`writeFragment: the ${plan.entity.typename} has no key; nothing was written`)
      return null
    }
    store.writeObject(w, plan, data as object, key)
    return key
  }

  const readFragment = <A>(
    now: number,
    schema: AnySchema,
    entity: EG.EntityRef,
    partial: boolean
  ): EG.ReadResult<A> => {
    const plan = objectPlan(schema)
    const key = keyOfRef(entity)
    if (plan === undefined || key === null) return { data: null, complete: false, stale: false }
    return toResult<A>(store.readKey(plan, key, now), undefined, partial)
  }

  const updateQuery = (
    w: Write,
    field: string,
    args: EG.Args,
    schema: AnySchema,
    f: (data: unknown) => unknown
  ): void => {
    const current = readQuery<unknown>(w.now, field, args, schema, false)
    const next = f(current.data === null ? null : cloneData(current.data))
    if (next !== null && next !== undefined) writeQuery(w, field, args, schema, next)
  }

  const link = (w: Write, entity: EG.EntityRef, fieldKey: string, links: Link): void => {
    const key = keyOfRef(entity)
    if (key === null) {
      w.warnings.push("link: the entity has no key; nothing was linked")
      return
    }
    if (key === keys.ROOT) touch(state, fieldKey)
    store.setLink(w, store.ensureNode(key, keys.typenameOf(key)), fieldKey, links)
  }

  const resolve = (entity: EG.EntityRef, fieldKey: string): unknown => {
    const key = keyOfRef(entity)
    const node = key === null ? undefined : store.nodes.get(key)
    if (node === undefined) return undefined
    const linked = store.getLink(node, fieldKey)
    if (linked !== NONE) return linked
    const record = store.getRecord(node, fieldKey)
    return record === NONE ? undefined : record
  }

  const inspectFields = (entity: EG.EntityRef): ReadonlyArray<EG.FieldInfo> => {
    const key = keyOfRef(entity)
    const node = key === null ? undefined : store.nodes.get(key)
    if (node === undefined) return []
    return store.fieldKeys(node).map((fieldKey) => ({
      fieldName: keys.fieldNameOf(fieldKey),
      arguments: keys.argsOf(fieldKey),
      fieldKey
    }))
  }

  const invalidate = (w: Write, entity: EG.EntityRef, field?: string, args?: EG.Args): void => {
    const key = keyOfRef(entity)
    const node = key === null ? undefined : store.nodes.get(key)
    if (node === undefined) return
    if (field === undefined) store.clearNode(w, node)
    else store.removeField(w, node, fieldKeyOf(field, args))
  }

  const invalidateType = (w: Write, typename: string): void => {
    for (const node of store.nodes.values()) if (node.typename === typename) store.clearNode(w, node)
  }

  const markStale = (w: Write, target: EG.EntityRef | undefined, options: EG.MarkStaleOptions | undefined): void => {
    const field = options?.field
    const exact = field !== undefined && options?.when !== undefined ? keys.fieldKey(field, options.when) : undefined
    const match = field === undefined
      ? () => true
      : exact !== undefined
      ? (fk: string) => fk === exact
      : (fk: string) => keys.fieldNameOf(fk) === field
    if (target === undefined) {
      for (const node of store.nodes.values()) store.markStale(w, node, match)
      return
    }
    if (typeof target === "string" && !target.includes(":") && !target.includes(".")) {
      for (const node of store.nodes.values()) if (node.typename === target) store.markStale(w, node, match)
      return
    }
    const key = keyOfRef(target)
    const node = key === null ? undefined : store.nodes.get(key)
    if (node !== undefined) store.markStale(w, node, match)
  }

  return {
    rootPlan,
    keyOfRef,
    fieldKeyOf,
    readQuery,
    writeQuery,
    writeFragment,
    readFragment,
    updateQuery,
    link,
    resolve,
    inspectFields,
    invalidate,
    invalidateType,
    markStale
  }
}

/** The operations of a graph. @internal */
export type Operations = ReturnType<typeof makeOperations>
