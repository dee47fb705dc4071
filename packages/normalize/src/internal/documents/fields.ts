/**
 * The urql cache's field operations over entities: `resolve`, `inspectFields`, `invalidate`
 * (an entity, a field, or a whole type) and `link`.
 * @internal
 */
import type * as D from "../../Documents.js"
import type { Ops } from "../graph.js"
import * as keys from "../keys.js"
import type { Store, Write } from "../store.js"
import { NONE } from "../store.js"
import type { Variables } from "./compile.js"
import type { Entities } from "./entities.js"

/** The field operations of one front end. @internal */
export const makeFields = (ops: Ops, store: Store, entities: Entities) => {
  const resolve = (entity: D.Entity | null | undefined, fieldName: string, args?: Variables | null): D.DataField => {
    const node = entities.nodeOf(entity)
    if (node === undefined) return undefined
    const fk = fieldName.includes("(") ? fieldName : entities.keyOfField(fieldName, args)
    const link = store.getLink(node, fk)
    if (link !== NONE) return link as D.DataField
    const record = store.getRecord(node, fk)
    return record === NONE ? undefined : (record as D.DataField)
  }

  const inspectFields = (entity: D.Entity) => {
    const key = entities.keyOfEntity(entity)
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
    const key = entities.keyOfEntity(entity)
    if (key === null) return
    if (fieldName === undefined) ops.invalidate(w, key)
    else {
      const node = store.nodes.get(key)
      const fk = fieldName.includes("(") ? fieldName : entities.keyOfField(fieldName, args)
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
    const key = entities.keyOfEntity(entity)
    if (key === null) {
      w.warnings.push("link: the entity has no key; nothing was linked")
      return
    }
    ops.link(
      w,
      key,
      fieldName.includes("(") ? fieldName : entities.keyOfField(fieldName, args),
      entities.linkOf(target)
    )
  }

  return { resolve, inspectFields, invalidate, link }
}
