/**
 * urql 7's rule for a mutation result no updater handles: the lists of a type whose new entity
 * no link holds yet are invalidated, so that they are fetched again.
 * @internal
 */
import type * as D from "../../Documents.js"
import * as keys from "../keys.js"
import type { Store, Write } from "../store.js"
import { forEachKey } from "../store.js"
import type { Entities } from "./entities.js"
import { isPlainObject } from "./operations.js"

/** The unhandled-result rule of one front end. @internal */
export const makeUnhandled = (store: Store, entities: Entities) => {
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
        const key = entities.keyOfEntity(v as D.Entity)
        if (key !== null && key.includes(":") && !referenced(key)) out.add(v.__typename)
      }
    }
    visit(value)
    return out
  }

  return { unknownTypes, invalidateListsOf }
}
