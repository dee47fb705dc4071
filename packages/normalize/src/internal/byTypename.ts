/**
 * Writes the entities of a value that has no Schema (a mutation result without `schema`) by
 * their `__typename`, with the plan of the entity Schema registered for that typename.
 * @internal
 */
import * as keys from "./keys.js"
import type { Compiler } from "./plan.js"
import type { Store, Write } from "./store.js"

/** Writes every object of `value` whose `__typename` names a registered entity; returns how many. @internal */
export const writeByTypename = (store: Store, compiler: Compiler, w: Write, value: unknown): number => {
  if (Array.isArray(value)) {
    let count = 0
    for (const item of value) count += writeByTypename(store, compiler, w, item)
    return count
  }
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype) return 0
  const record = value as Record<string, unknown>
  const typename = record.__typename
  const plan = typeof typename === "string" ? compiler.entityPlans.get(typename) : undefined
  if (plan !== undefined && plan.entity !== undefined) {
    const key = keys.entityKey(plan.entity, record)
    if (key !== undefined) {
      store.writeObject(w, plan, record, key)
      return 1
    }
  }
  let count = 0
  for (const k of Object.keys(record)) count += writeByTypename(store, compiler, w, record[k])
  return count
}
