/**
 * Houdini's list operations (append, prepend, remove, toggle) on the lists a field or a `@list`
 * name designates, plain lists and connections (`nodes`, `edges`) alike.
 * @internal
 */
import { Key } from "@cachet/core"

import type * as D from "../../Documents.js"
import * as keys from "../keys.js"
import type { Link, Node, Store, Write } from "../store.js"
import { NONE } from "../store.js"
import type { Entities } from "./entities.js"

type ListMode = "append" | "prepend" | "remove" | "toggle"

/** The list operations of one front end. @internal */
export const makeLists = (store: Store, entities: Entities) => {
  const lists = new Map<string, { readonly parent: string | undefined; readonly fieldName: string }>()

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
        entities.nodeOf(
          typeof parentId === "string" && !parentId.includes(":") && parentId !== keys.ROOT
            ? `${parentType}:${parentId}`
            : parentId
        )
      ]
    const when = options?.when
    const out: Array<{ readonly node: NonNullable<ReturnType<Entities["nodeOf"]>>; readonly fk: string }> = []
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
    const key = entities.keyOfEntity(entity)
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

  return {
    /** Records a `@list` name: the field it names, under its parent type (none for a root field). */
    register: (name: string, parent: string | undefined, fieldName: string): void => {
      lists.set(name, { parent, fieldName })
    },
    listOp
  }
}
