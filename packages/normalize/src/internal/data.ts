/**
 * The normalized data: one node per entity holding its records (leaf values) and links (entity
 * keys), optimistic layers stacked above the base, staleness marks and write times. Field
 * access here sees through the layers; every change bumps the store's `seq` and the node's
 * version, and names what changed in the {@link Write}.
 * @internal
 */
import { linkEqual, valueEqual } from "./equal.js"
import * as keys from "./keys.js"
import type { FieldPlan, NodeShapes, ObjectPlan } from "./plan.js"
import type { Expiry, Memo, MemoSlot } from "./read.js"

/** A link: an entity key, null, or nested lists of them. @internal */
export type Link = string | null | ReadonlyArray<Link>

/** Marks an absent value. @internal */
export const NONE: unique symbol = Symbol.for("@cachet/normalize/NONE")
/** A field a layer removes (hides from the layers below). */
const DELETED: unique symbol = Symbol.for("@cachet/normalize/DELETED")

/** Whether an object has an own property (not one from its prototype). @internal */
export const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key)

/** A restored leaf value still in its encoded form, decoded by the first Schema that reads it. @internal */
export class Encoded {
  constructor(readonly encoded: unknown) {}
}

/** Staleness marks and write times of a node's fields. @internal */
export interface Marks {
  /** Field keys marked stale. */
  stale: Set<string> | undefined
  /** When each field was written (with `defaultLifetime`). */
  times: Record<string, number> | undefined
}

/** One normalized object: its records and links, with the inline memo of its first reader. @internal */
export class Node implements MemoSlot {
  links: Record<string, Link> | undefined = undefined
  version = 0
  overlays = 0
  /** Staleness marks and write times (with `defaultLifetime`), rare: in an object of their own. */
  marks: Marks | undefined = undefined
  // the inline memo (see MemoSlot)
  plan: ObjectPlan | undefined = undefined
  value: unknown = undefined
  flags = 0
  seq = 0
  expiry: Expiry | undefined = undefined
  next: Memo | undefined = undefined
  constructor(
    readonly key: string,
    public typename: string | undefined,
    public records: Record<string, unknown>
  ) {}
}

/** What one optimistic layer holds for one node. @internal */
export interface LayerEntry {
  records: Record<string, unknown>
  links: Record<string, Link>
  cleared: boolean
}

/** An optimistic layer (one mutation's optimistic writes). @internal */
export interface Layer {
  readonly id: number
  readonly name: string
  readonly entries: Map<string, LayerEntry>
}

/** The state of one write operation. @internal */
export interface Write {
  readonly layer: Layer | undefined
  readonly now: number
  /** Dependency keys that changed (entity keys, and `Query\u0001<fieldKey>` for root fields). */
  readonly changed: Set<string>
  readonly warnings: Array<string>
}

/** The dependency key of a field: its node's key, or the field itself for a root field. @internal */
export const depKey = (nodeKey: string, fieldKey: string): string =>
  nodeKey === keys.ROOT ? `${keys.ROOT}\u0001${fieldKey}` : nodeKey

/** Visits every key in a link. @internal */
export const forEachKey = (link: Link, visit: (key: string) => void): void => {
  if (link === null) return
  if (typeof link === "string") visit(link)
  else for (const item of link) forEachKey(item, visit)
}

/** The nodes, their layers and the change counter, with field access through the layers. @internal */
export class Data {
  readonly nodes = new Map<string, Node>()
  layers: Array<Layer> = []
  /** Bumped on every change; a memo validated at the current seq is valid as a whole. */
  seq = 1

  constructor(
    readonly lifetime: number,
    readonly decode: (ast: FieldPlan["ast"], encoded: unknown) => unknown = () => NONE
  ) {
    this.nodes.set(keys.ROOT, new Node(keys.ROOT, keys.ROOT, {}))
  }

  /** The `Query` node (root fields). */
  get root(): Node {
    return this.nodes.get(keys.ROOT)!
  }

  /** The node `key`, created (with the plan's shapes) when new; a known typename is filled in. */
  ensureNode(key: string, typename: string | undefined, shapes?: NodeShapes): Node {
    let node = this.nodes.get(key)
    if (node === undefined) {
      node = new Node(key, typename, shapes === undefined ? {} : new shapes.records())
      this.nodes.set(key, node)
    } else if (node.typename === undefined && typename !== undefined) {
      node.typename = typename
    }
    return node
  }

  // ---------------------------------------------------------------------------------------------
  // field access through layers

  /** A field's record (leaf value) through the layers, or NONE. */
  getRecord(node: Node, fk: string): unknown {
    if (node.overlays > 0) {
      for (let i = this.layers.length - 1; i >= 0; i--) {
        const entry = this.layers[i]!.entries.get(node.key)
        if (entry === undefined) continue
        if (hasOwn(entry.records, fk)) {
          const value = entry.records[fk]
          return value === DELETED ? NONE : value
        }
        if (hasOwn(entry.links, fk) || entry.cleared) return NONE
      }
    }
    const value = node.records[fk]
    if ((value === undefined || typeof value === "function") && !hasOwn(node.records, fk)) return NONE
    return value
  }

  /** A field's link through the layers, or NONE. */
  getLink(node: Node, fk: string): Link | typeof NONE {
    if (node.overlays > 0) {
      for (let i = this.layers.length - 1; i >= 0; i--) {
        const entry = this.layers[i]!.entries.get(node.key)
        if (entry === undefined) continue
        if (hasOwn(entry.links, fk)) return entry.links[fk]!
        if (hasOwn(entry.records, fk) || entry.cleared) return NONE
      }
    }
    const links = node.links
    if (links === undefined) return NONE
    const value = links[fk]
    if (value === undefined) return NONE
    return value
  }

  /** The field keys a node has, as seen through the layers. */
  fieldKeys(node: Node): Array<string> {
    const seen = new Set<string>()
    const out: Array<string> = []
    const add = (fk: string, hidden: Set<string>) => {
      if (seen.has(fk)) return
      seen.add(fk)
      if (!hidden.has(fk)) out.push(fk)
    }
    const hidden = new Set<string>()
    let cleared = false
    if (node.overlays > 0) {
      for (let i = this.layers.length - 1; i >= 0 && !cleared; i--) {
        const entry = this.layers[i]!.entries.get(node.key)
        if (entry === undefined) continue
        for (const fk of Object.keys(entry.records)) {
          if (entry.records[fk] === DELETED && !seen.has(fk)) {
            hidden.add(fk)
            seen.add(fk)
          } else add(fk, hidden)
        }
        for (const fk of Object.keys(entry.links)) add(fk, hidden)
        if (entry.cleared) cleared = true
      }
    }
    if (!cleared) {
      for (const fk of Object.keys(node.records)) add(fk, hidden)
      if (node.links !== undefined) { for (const fk of Object.keys(node.links)) add(fk, hidden) }
    }
    return out
  }

  /** Every link a node holds, through the layers. */
  linksOf(node: Node, visit: (link: Link) => void): void {
    if (node.links !== undefined) { for (const fk in node.links) visit(node.links[fk]!) }
    if (node.overlays > 0) {
      for (const layer of this.layers) {
        const entry = layer.entries.get(node.key)
        if (entry !== undefined) { for (const fk in entry.links) visit(entry.links[fk]!) }
      }
    }
  }

  /** The typename of a node: its entity typename, else the `__typename` record of an embedded node. */
  typenameAt(key: string): string | undefined {
    const node = this.nodes.get(key)
    const typename = node?.typename ?? keys.typenameOf(key)
    if (typename !== undefined || node === undefined) return typename
    const record = this.getRecord(node, "__typename")
    return typeof record === "string" ? record : undefined
  }

  // ---------------------------------------------------------------------------------------------
  // field changes (in the write's layer, or the base)

  private changed(w: Write, node: Node, fk: string): void {
    node.version = ++this.seq
    w.changed.add(depKey(node.key, fk))
  }

  private layerEntry(layer: Layer, node: Node): LayerEntry {
    let entry = layer.entries.get(node.key)
    if (entry === undefined) {
      entry = { records: {}, links: {}, cleared: false }
      layer.entries.set(node.key, entry)
      node.overlays++
    }
    return entry
  }

  /** Records a (re)write of a field: it is fresh again; true when it was stale (a change). */
  private fresh(w: Write, node: Node, fk: string): boolean {
    let wasStale = false
    if (this.lifetime !== Infinity) {
      const times = ((node.marks ??= { stale: undefined, times: undefined }).times ??= {})
      const old = times[fk]
      if (old !== undefined && old + this.lifetime <= w.now) wasStale = true
      times[fk] = w.now
    }
    const stale = node.marks?.stale
    if (stale !== undefined && stale.delete(fk)) {
      if (stale.size === 0) node.marks!.stale = undefined
      wasStale = true
    }
    return wasStale
  }

  /** Sets a field to a record (replacing a link); a change only when the value differs or was stale. */
  setRecord(w: Write, node: Node, fk: string, value: unknown): void {
    if (w.layer !== undefined) {
      const before = this.getRecord(node, fk)
      const entry = this.layerEntry(w.layer, node)
      entry.records[fk] = value
      if (hasOwn(entry.links, fk)) delete entry.links[fk]
      // the same value as seen through the layers below is no change
      if (before === NONE || before === DELETED || !valueEqual(before, value)) this.changed(w, node, fk)
      return
    }
    let changed = this.fresh(w, node, fk)
    const records = node.records
    if (node.links !== undefined && hasOwn(node.links, fk)) {
      delete node.links[fk]
      records[fk] = value
      changed = true
    } else {
      const old = records[fk]
      if (old === undefined && !hasOwn(records, fk)) {
        records[fk] = value
        changed = true
      } else if (!valueEqual(old, value)) {
        records[fk] = value
        changed = true
      }
    }
    if (changed) this.changed(w, node, fk)
  }

  /** Sets a field to a link (replacing a record); a change only when the link differs or was stale. */
  setLink(w: Write, node: Node, fk: string, link: Link): void {
    if (w.layer !== undefined) {
      const before = this.getLink(node, fk)
      const entry = this.layerEntry(w.layer, node)
      entry.links[fk] = link
      if (hasOwn(entry.records, fk)) delete entry.records[fk]
      if (before === NONE || !linkEqual(before, link)) this.changed(w, node, fk)
      return
    }
    let changed = this.fresh(w, node, fk)
    if (hasOwn(node.records, fk)) {
      delete node.records[fk]
      changed = true
    }
    const links = (node.links ??= {})
    const old = links[fk]
    if (!linkEqual(old, link)) {
      links[fk] = link
      changed = true
    }
    if (changed) this.changed(w, node, fk)
  }

  /** Removes a field (hides it, in a layer). */
  removeField(w: Write, node: Node, fk: string): void {
    if (w.layer !== undefined) {
      const entry = this.layerEntry(w.layer, node)
      entry.records[fk] = DELETED
      if (hasOwn(entry.links, fk)) delete entry.links[fk]
      this.changed(w, node, fk)
      return
    }
    let changed = false
    if (hasOwn(node.records, fk)) {
      delete node.records[fk]
      changed = true
    }
    if (node.links !== undefined && hasOwn(node.links, fk)) {
      delete node.links[fk]
      changed = true
    }
    if (node.marks?.times !== undefined) delete node.marks.times[fk]
    node.marks?.stale?.delete(fk)
    if (changed) this.changed(w, node, fk)
  }

  /** Removes every field of a node (hides them all, in a layer). */
  clearNode(w: Write, node: Node): void {
    const fields = this.fieldKeys(node)
    if (w.layer !== undefined) {
      const entry = this.layerEntry(w.layer, node)
      entry.records = {}
      entry.links = {}
      entry.cleared = true
      node.version = ++this.seq
      for (const fk of fields) w.changed.add(depKey(node.key, fk))
      w.changed.add(node.key)
      return
    }
    if (fields.length === 0 && Object.keys(node.records).length === 0) return
    node.records = {}
    node.links = undefined
    node.marks = undefined
    node.version = ++this.seq
    for (const fk of fields) w.changed.add(depKey(node.key, fk))
    w.changed.add(node.key)
  }

  /** Marks the node's matching fields stale until written again. */
  markStale(w: Write, node: Node, match: (fk: string) => boolean): void {
    let any = false
    for (const fk of this.fieldKeys(node)) {
      if (!match(fk)) continue
      const set = ((node.marks ??= { stale: undefined, times: undefined }).stale ??= new Set())
      if (!set.has(fk)) {
        set.add(fk)
        any = true
        w.changed.add(depKey(node.key, fk))
      }
    }
    if (any) node.version = ++this.seq
  }

  /** Drops a layer: every node it touched reads the layers below again. */
  /** Moves a layer's fields into the base (a layer whose place in the order no longer matters). */
  mergeLayer(w: Write, layer: Layer): void {
    const index = this.layers.indexOf(layer)
    if (index < 0) return
    this.layers.splice(index, 1)
    const base: Write = { ...w, layer: undefined }
    for (const [key, entry] of layer.entries) {
      const node = this.nodes.get(key)
      if (node === undefined) continue
      node.overlays--
      if (entry.cleared) this.clearNode(base, node)
      for (const fk of Object.keys(entry.records)) {
        const value = entry.records[fk]
        if (value === DELETED) this.removeField(base, node, fk)
        else this.setRecord(base, node, fk, value)
      }
      for (const fk of Object.keys(entry.links)) this.setLink(base, node, fk, entry.links[fk]!)
    }
  }

  dropLayer(w: Write, layer: Layer): void {
    const index = this.layers.indexOf(layer)
    if (index < 0) return
    this.layers.splice(index, 1)
    for (const [key, entry] of layer.entries) {
      const node = this.nodes.get(key)
      if (node === undefined) continue
      node.overlays--
      node.version = ++this.seq
      w.changed.add(key)
      for (const fk of Object.keys(entry.records)) w.changed.add(depKey(key, fk))
      for (const fk of Object.keys(entry.links)) w.changed.add(depKey(key, fk))
      if (entry.cleared) { for (const fk of this.fieldKeys(node)) w.changed.add(depKey(key, fk)) }
    }
  }
}
