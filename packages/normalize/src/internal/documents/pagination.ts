/**
 * Paginated fields: each page is stored under its own field key (`todos({"first":2,"after":"c2"})`)
 * and, after every write that changed one, the pages of a field are merged into one list stored
 * under `todos@pages` (the other arguments kept), in cursor order (relay: the page after a page's
 * `endCursor` follows it, whatever the order the pages arrived in) or offset order (simple).
 * Reads of a paginated field read the merged list.
 * @internal
 */
import * as keys from "../keys.js"
import type { Link, Node, Store, Write } from "../store.js"
import { NONE } from "../store.js"
import type { PaginationSpec } from "./compile.js"
import { mergedFieldKey } from "./compile.js"

/** Paginated fields by parent typename and field name. @internal */
export type Specs = ReadonlyMap<string, ReadonlyMap<string, PaginationSpec>>

interface Page {
  readonly args: Readonly<Record<string, unknown>>
  readonly key: string
  readonly node: Node
  readonly start: unknown
  readonly end: unknown
}

const record = (store: Store, node: Node | undefined, fk: string): unknown => {
  if (node === undefined) return undefined
  const value = store.getRecord(node, fk)
  return value === NONE ? undefined : value
}

const keysOf = (link: Link | typeof NONE): ReadonlyArray<Link> => (Array.isArray(link) ? link : [])

/**
 * Orders relay pages: from the first page, each page whose `after` is the previous `endCursor`; pages before it by
 * `before`; the rest after.
 */
const relayOrder = (pages: ReadonlyArray<Page>): ReadonlyArray<Page> => {
  const used = new Set<Page>()
  const head = pages.find((p) => p.args.after == null && p.args.before == null) ??
    pages.find((p) => p.args.after != null && !pages.some((q) => q.end === p.args.after)) ??
    pages[0]!
  used.add(head)
  const out: Array<Page> = [head]
  for (let current = head;;) {
    const next = pages.find((p) => !used.has(p) && p.args.after != null && p.args.after === current.end)
    if (next === undefined) break
    used.add(next)
    out.push(next)
    current = next
  }
  for (let current = head;;) {
    const previous = pages.find((p) => !used.has(p) && p.args.before != null && p.args.before === current.start)
    if (previous === undefined) break
    used.add(previous)
    out.unshift(previous)
    current = previous
  }
  for (const page of pages) if (!used.has(page)) out.push(page)
  return out
}

const mergeRelay = (store: Store, w: Write, parent: Node, mergedKey: string, pages: ReadonlyArray<Page>): void => {
  const ordered = relayOrder(pages)
  const last = ordered[ordered.length - 1]!
  const first = ordered[0]!
  const target = store.ensureNode(`${parent.key}.${mergedKey}`, undefined)
  for (const fk of store.fieldKeys(last.node)) {
    if (fk === "edges" || fk === "nodes" || fk === "pageInfo") continue
    const link = store.getLink(last.node, fk)
    if (link !== NONE) store.setLink(w, target, fk, link)
    else {
      const value = store.getRecord(last.node, fk)
      if (value !== NONE) store.setRecord(w, target, fk, value)
    }
  }
  const seen = new Set<unknown>()
  const edges: Array<Link> = []
  const nodes: Array<Link> = []
  let hasEdges = false
  let hasNodes = false
  for (const page of ordered) {
    const pageEdges = store.getLink(page.node, "edges")
    if (pageEdges !== NONE) hasEdges = true
    for (const edge of keysOf(pageEdges)) {
      const entity = typeof edge === "string" ? store.getLink(store.nodes.get(edge)!, "node") : NONE
      const id = entity === NONE || entity === null ? edge : entity
      if (seen.has(id)) continue
      seen.add(id)
      edges.push(edge)
    }
    const pageNodes = store.getLink(page.node, "nodes")
    if (pageNodes !== NONE) hasNodes = true
    for (const item of keysOf(pageNodes)) {
      if (item !== null && seen.has(item)) continue
      seen.add(item)
      nodes.push(item)
    }
  }
  if (hasEdges) store.setLink(w, target, "edges", edges)
  if (hasNodes) store.setLink(w, target, "nodes", nodes)
  const infoOf = (page: Page) => {
    const link = store.getLink(page.node, "pageInfo")
    return typeof link === "string" ? store.nodes.get(link) : undefined
  }
  const firstInfo = infoOf(first)
  const lastInfo = infoOf(last)
  if (firstInfo !== undefined || lastInfo !== undefined) {
    const info = store.ensureNode(`${target.key}.pageInfo`, undefined)
    const typename = record(store, lastInfo ?? firstInfo, "__typename")
    if (typename !== undefined) store.setRecord(w, info, "__typename", typename)
    for (
      const [fk, from] of [["startCursor", firstInfo], ["hasPreviousPage", firstInfo], ["endCursor", lastInfo], [
        "hasNextPage",
        lastInfo
      ]] as const
    ) {
      const value = record(store, from, fk)
      if (value !== undefined) store.setRecord(w, info, fk, value)
    }
    store.setLink(w, target, "pageInfo", info.key)
  }
  store.setLink(w, parent, mergedKey, target.key)
}

const mergeSimple = (
  store: Store,
  w: Write,
  parent: Node,
  mergedKey: string,
  spec: PaginationSpec,
  pages: ReadonlyArray<Page>
): void => {
  const offset = (page: Page): number => {
    const value = page.args[spec.offsetArgument]
    return typeof value === "number" ? value : 0
  }
  const ordered = [...pages].sort((a, b) => offset(a) - offset(b))
  const seen = new Set<Link>()
  const out: Array<Link> = []
  for (const page of ordered) {
    for (const item of keysOf(store.getLink(parent, page.key))) {
      if (item !== null && seen.has(item)) continue
      seen.add(item)
      out.push(item)
    }
  }
  store.setLink(w, parent, mergedKey, out)
}

/** Re-merges the pages of one paginated field of a node. @internal */
export const merge = (store: Store, w: Write, parent: Node, fieldName: string, spec: PaginationSpec): void => {
  const groups = new Map<string, Array<Page>>()
  for (const fk of store.fieldKeys(parent)) {
    if (keys.fieldNameOf(fk) !== fieldName) continue
    const link = store.getLink(parent, fk)
    if (link === NONE) continue
    const args = keys.argsOf(fk) ?? {}
    const mergedKey = mergedFieldKey(fieldName, args, spec)
    let group = groups.get(mergedKey)
    if (group === undefined) groups.set(mergedKey, group = [])
    if (spec.kind === "simple") {
      group.push({ args, key: fk, node: parent, start: undefined, end: undefined })
      continue
    }
    const node = typeof link === "string" ? store.nodes.get(link) : undefined
    if (node === undefined) continue
    const infoLink = store.getLink(node, "pageInfo")
    const info = typeof infoLink === "string" ? store.nodes.get(infoLink) : undefined
    group.push({
      args,
      key: link as string,
      node,
      start: record(store, info, "startCursor"),
      end: record(store, info, "endCursor")
    })
  }
  for (const [mergedKey, pages] of groups) {
    if (pages.length === 0) continue
    if (spec.kind === "simple") mergeSimple(store, w, parent, mergedKey, spec, pages)
    else mergeRelay(store, w, parent, mergedKey, pages)
  }
}

/** Re-merges every paginated field a write touched (its pages, or what is stored under them). @internal */
export const remerge = (store: Store, w: Write, specs: Specs): void => {
  if (specs.size === 0 || w.changed.size === 0) return
  const todo = new Map<Node, Set<string>>()
  const add = (node: Node | undefined, fieldName: string) => {
    if (node === undefined) return
    let set = todo.get(node)
    if (set === undefined) todo.set(node, set = new Set())
    set.add(fieldName)
  }
  const rootSpecs = specs.get(keys.ROOT)
  for (const dep of w.changed) {
    if (dep.startsWith(`${keys.ROOT}\u0001`) || dep.startsWith(`${keys.ROOT}.`)) {
      const rest = dep.slice(keys.ROOT.length + 1)
      const end = rest.search(/[(.@]/)
      const fieldName = end < 0 ? rest : rest.slice(0, end)
      if (rootSpecs?.has(fieldName) === true && rest[end] !== "@") add(store.root, fieldName)
      continue
    }
    const node = store.nodes.get(dep)
    const typename = node?.typename
    const fields = typename === undefined ? undefined : specs.get(typename)
    if (fields !== undefined) { for (const fieldName of fields.keys()) add(node, fieldName) }
  }
  for (const [node, fieldNames] of todo) {
    const fields = specs.get(node.typename ?? keys.ROOT)
    for (const fieldName of fieldNames) {
      const spec = fields?.get(fieldName)
      if (spec !== undefined) merge(store, w, node, fieldName, spec)
    }
  }
}
