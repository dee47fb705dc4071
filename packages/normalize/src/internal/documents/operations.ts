/**
 * Reading and writing operations and fragments through compiled plans, and `updateQuery`.
 * @internal
 */
import type * as D from "../../Documents.js"
import type { Ops } from "../graph.js"
import * as keys from "../keys.js"
import type { ObjectPlan, UnionPlan } from "../plan.js"
import type { Link, ReadOutput, Store, Write } from "../store.js"
import { MISSING } from "../store.js"
import { NOT_LINK } from "../write.js"
import type { Compiled, Variables } from "./compile.js"
import type { Entities } from "./entities.js"
import type * as schemaInfo from "./schema.js"

type Data = Record<string, unknown>

/** Whether a value is a plain object (not null, not an array). @internal */
export const isPlainObject = (value: unknown): value is Data =>
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

/** The operation and fragment reads and writes of one front end. @internal */
export const makeOperations = (
  ops: Ops,
  store: Store,
  entities: Entities,
  schema: schemaInfo.SchemaInfo | undefined
) => {
  /** Reads an operation's root plan (and marks its root fields recently used). */
  const readPlan = <A>(plan: ObjectPlan, now: number, partial: boolean) => {
    for (const fp of plan.fields) ops.touch(fp.fieldKey)
    return toResult<A>(store.readRoot(plan, now), partial)
  }

  const readOperation = <A>(compiled: Compiled, variables: Variables | undefined, now: number, partial: boolean) =>
    readPlan<A>(compiled.instance(variables).read as ObjectPlan, now, partial)

  /** Writes an operation's data; for a mutation or subscription, returns the links its fields were written to. */
  const writeOperation = (
    w: Write,
    compiled: Compiled,
    variables: Variables | undefined,
    data: unknown
  ): Map<string, Link> | undefined => {
    if (!isPlainObject(data)) return undefined
    const plan = compiled.instance(variables).write as ObjectPlan
    const root = compiled.typename === keys.ROOT
    const links = root ? undefined : new Map<string, Link>()
    for (const fp of plan.fields) {
      if (!Object.prototype.hasOwnProperty.call(data, fp.name)) continue
      const value = data[fp.name]
      if (root) {
        ops.touch(fp.fieldKey)
        store.writeField(w, store.root, fp, value)
      } else if (fp.plan._tag !== "Leaf") {
        const link = store.writeLink(w, fp.plan, value, `${compiled.typename}.${fp.fieldKey}`)
        if (link !== NOT_LINK) links!.set(fp.name, link as Link)
      }
    }
    return links
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
    const key = entities.keyOfEntity(entity)
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

  /** Reads an operation, lets `f` change a copy, and writes back what it returns (unless null). */
  const updateQuery = (
    w: Write,
    compiled: Compiled,
    variables: Variables | undefined,
    f: (data: unknown) => unknown
  ) => {
    const current = readOperation<unknown>(compiled, variables, w.now, false)
    const next = f(current.data === null ? null : clone(current.data))
    if (next !== null && next !== undefined) writeOperation(w, compiled, variables, next)
  }

  return { readPlan, readOperation, writeOperation, readFragment, writeFragment, updateQuery }
}
