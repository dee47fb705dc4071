/**
 * Normalization: a value written by a plan becomes nodes (one per entity, keyed by its key, or
 * by its path when embedded) with records for leaves and links between nodes.
 * @internal
 */
import type { Data, Link, Node, Write } from "./data.js"
import { hasOwn } from "./data.js"
import * as keys from "./keys.js"
import type { FieldPlan, ObjectPlan, Plan } from "./plan.js"

/** Marks a value at a link position that is a leaf after all. @internal */
export const NOT_LINK: unique symbol = Symbol.for("@cachet/normalize/NOT_LINK")

/** Writes an object by its plan into the node `key` (created if new); returns the node. @internal */
export const writeObject = (data: Data, w: Write, plan: ObjectPlan, value: object, key: string): Node => {
  const node = data.ensureNode(key, plan.entity?.typename, plan.nodeShapes)
  if (plan.hasLinks && node.links === undefined && w.layer === undefined) {
    node.links = new plan.nodeShapes.links() as Record<string, Link>
  }
  const record = value as Record<string, unknown>
  const fields = plan.fields
  for (let i = 0; i < fields.length; i++) {
    const fp = fields[i]!
    const v = record[fp.name]
    if (v === undefined && !hasOwn(record, fp.name)) {
      if (fp.optional && fp.incidental !== true) data.setRecord(w, node, fp.fieldKey, undefined)
      continue
    }
    writeField(data, w, node, fp, v)
  }
  return node
}

/** Writes one field's value into a node: a record for a leaf, else a link to its normalized nodes. @internal */
export const writeField = (data: Data, w: Write, node: Node, fp: FieldPlan, v: unknown): void => {
  if (v === null || v === undefined || fp.plan._tag === "Leaf") {
    data.setRecord(w, node, fp.fieldKey, v)
    return
  }
  const link = writeLink(data, w, fp.plan, v, `${node.key}.${fp.fieldKey}`)
  if (link === NOT_LINK) data.setRecord(w, node, fp.fieldKey, v)
  else data.setLink(w, node, fp.fieldKey, link)
}

/** Normalizes a value at a link position; returns its link, or NOT_LINK for a leaf. @internal */
export const writeLink = (data: Data, w: Write, plan: Plan, v: unknown, path: string): Link | typeof NOT_LINK => {
  if (v === null || v === undefined) return null
  switch (plan._tag) {
    case "Object": {
      if (typeof v !== "object") return NOT_LINK
      let key: string | undefined
      if (plan.entity !== undefined) {
        key = keys.entityKey(plan.entity, v)
        if (key === undefined) {
          w.warnings.push(`an entity of type ${plan.entity.typename} has no key; it is stored embedded at ${path}`)
        }
      }
      // the node's own key string, so the links of 1,000 posts to one author share one string
      return writeObject(data, w, plan, v, key ?? path).key
    }
    case "Array": {
      if (!Array.isArray(v)) return NOT_LINK
      const out = new Array<Link>(v.length)
      for (let i = 0; i < v.length; i++) {
        const item = writeLink(data, w, plan.item, v[i], `${path}.${i}`)
        out[i] = item === NOT_LINK ? null : item
      }
      return out
    }
    case "Union": {
      if (plan.select !== undefined && !Array.isArray(v)) {
        if (typeof v !== "object") return NOT_LINK
        const typename = (v as { readonly __typename?: unknown }).__typename
        return writeLink(data, w, plan.select(typeof typename === "string" ? typename : undefined), v, path)
      }
      for (const member of plan.members) {
        if (member._tag !== "Leaf" && member.guard(v)) return writeLink(data, w, member, v, path)
      }
      return NOT_LINK
    }
    case "Leaf":
      return NOT_LINK
  }
}
