/**
 * The normalized data: one node per entity (records and links), optimistic layers stacked
 * above the base, staleness marks, and memoized reads that rebuild only what changed.
 * @internal
 */
import type { ArrayPlan, FieldPlan, NodeShapes, ObjectPlan, Plan, UnionPlan } from "./plan.js"
import * as keys from "./keys.js"

/** A link: an entity key, null, or nested lists of them. @internal */
export type Link = string | null | ReadonlyArray<Link>

/** Marks an absent value. @internal */
export const NONE: unique symbol = Symbol.for("@cachet/normalize/NONE")
/** A read that cannot produce a value (a required field is missing). @internal */
export const MISSING: unique symbol = Symbol.for("@cachet/normalize/MISSING")
const OMIT: unique symbol = Symbol.for("@cachet/normalize/OMIT")
const DELETED: unique symbol = Symbol.for("@cachet/normalize/DELETED")
const NOT_LINK: unique symbol = Symbol.for("@cachet/normalize/NOT_LINK")

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key)

/** A restored leaf value still in its encoded form, decoded by the first Schema that reads it. @internal */
export class Encoded {
  constructor(readonly encoded: unknown) {}
}

/** Memo flags. */
const COMPLETE = 1
const STALE = 2
const OWN_COMPLETE = 4
const OWN_STALE = 8

/** When a memo's value (and its own fields) turn stale; only allocated when finite. @internal */
export interface Expiry {
  readonly staleAt: number
  readonly ownStaleAt: number
}

/**
 * The last read of a node by one plan: its value, the store `seq` at which it was last known
 * valid (the node's own fields are unchanged while `node.version <= seq`, as a change sets the
 * node's version to a new seq), and flags. Small on purpose, one per entity read: booleans share
 * one number, and the expiry times (doubles, which V8 boxes) live in an object of their own only
 * when finite. A node holds the memo of the first plan that reads it inline (a {@link Node} is a
 * `MemoSlot`); other plans' memos hang from `next`.
 * @internal
 */
export interface MemoSlot {
  readonly plan: ObjectPlan | undefined
  value: unknown
  flags: number
  seq: number
  expiry: Expiry | undefined
  next: Memo | undefined
}

/** @internal */
export class Memo implements MemoSlot {
  next: Memo | undefined = undefined
  constructor(
    readonly plan: ObjectPlan,
    public value: unknown,
    public flags: number,
    public seq: number,
    public expiry: Expiry | undefined
  ) {}
}

const expiryOf = (staleAt: number, ownStaleAt: number): Expiry | undefined =>
  staleAt === Infinity && ownStaleAt === Infinity ? undefined : { staleAt, ownStaleAt }

/** @internal */
export interface Marks {
  /** Field keys marked stale. */
  stale: Set<string> | undefined
  /** When each field was written (with `defaultLifetime`). */
  times: Record<string, number> | undefined
}

/** @internal */
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

/** @internal */
export interface LayerEntry {
  records: Record<string, unknown>
  links: Record<string, Link>
  cleared: boolean
}

/** @internal */
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

/** @internal */
export interface ReadOutput {
  readonly value: unknown
  readonly complete: boolean
  readonly stale: boolean
  readonly staleAt: number
}

/** @internal */
export const depKey = (nodeKey: string, fieldKey: string): string =>
  nodeKey === keys.ROOT ? `${keys.ROOT}\u0001${fieldKey}` : nodeKey

/** @internal */
export const linkEqual = (a: Link | undefined, b: Link | undefined): boolean => {
  if (a === b) return true
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (!linkEqual(a[i], b[i])) return false
  return true
}

/** Structural equality of stored values (plain data, Dates, Effect `Equal` values). @internal */
export const valueEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b)
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!valueEqual(a[i], b[i])) return false
    return true
  }
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime()
  const protoA = Object.getPrototypeOf(a)
  if (protoA !== Object.prototype && protoA !== null) {
    const equal = (a as { [k: symbol]: unknown })[Symbol.for("effect/Equal") as symbol]
    return typeof equal === "function" && Object.getPrototypeOf(b) === protoA && (equal as (that: unknown) => boolean).call(a, b)
  }
  if (Array.isArray(b) || (Object.getPrototypeOf(b) !== Object.prototype && Object.getPrototypeOf(b) !== null)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  for (const k of ka) {
    if (!hasOwn(b, k) || !valueEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false
  }
  return true
}

/** @internal */
export class Store {
  readonly nodes = new Map<string, Node>()
  layers: Array<Layer> = []
  /** Bumped on every change; a memo validated at the current seq is valid as a whole. */
  seq = 1
  // read accumulators (children of the object being read)
  private complete = true
  private stale = false
  private staleAt = Infinity
  private now = 0

  constructor(
    readonly lifetime: number,
    private readonly decode: (ast: FieldPlan["ast"], encoded: unknown) => unknown = () => NONE
  ) {
    this.nodes.set(keys.ROOT, new Node(keys.ROOT, keys.ROOT, {}))
  }

  get root(): Node {
    return this.nodes.get(keys.ROOT)!
  }

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
      if (node.links !== undefined) for (const fk of Object.keys(node.links)) add(fk, hidden)
    }
    return out
  }

  // ---------------------------------------------------------------------------------------------
  // writes

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

  setRecord(w: Write, node: Node, fk: string, value: unknown): void {
    if (w.layer !== undefined) {
      const entry = this.layerEntry(w.layer, node)
      entry.records[fk] = value
      if (hasOwn(entry.links, fk)) delete entry.links[fk]
      this.changed(w, node, fk)
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

  setLink(w: Write, node: Node, fk: string, link: Link): void {
    if (w.layer !== undefined) {
      const entry = this.layerEntry(w.layer, node)
      entry.links[fk] = link
      if (hasOwn(entry.records, fk)) delete entry.records[fk]
      this.changed(w, node, fk)
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
      if (entry.cleared) for (const fk of this.fieldKeys(node)) w.changed.add(depKey(key, fk))
    }
  }

  // normalization

  writeObject(w: Write, plan: ObjectPlan, value: object, key: string): Node {
    const node = this.ensureNode(key, plan.entity?.typename, plan.nodeShapes)
    if (plan.hasLinks && node.links === undefined && w.layer === undefined) node.links = new plan.nodeShapes.links() as Record<string, Link>
    const record = value as Record<string, unknown>
    const fields = plan.fields
    for (let i = 0; i < fields.length; i++) {
      const fp = fields[i]!
      const v = record[fp.name]
      if (v === undefined && !hasOwn(record, fp.name)) {
        if (fp.optional && fp.incidental !== true) this.setRecord(w, node, fp.fieldKey, undefined)
        continue
      }
      this.writeField(w, node, fp, v)
    }
    return node
  }

  writeField(w: Write, node: Node, fp: FieldPlan, v: unknown): void {
    if (v === null || v === undefined || fp.plan._tag === "Leaf") {
      this.setRecord(w, node, fp.fieldKey, v)
      return
    }
    const link = this.writeLink(w, fp.plan, v, `${node.key}.${fp.fieldKey}`)
    if (link === NOT_LINK) this.setRecord(w, node, fp.fieldKey, v)
    else this.setLink(w, node, fp.fieldKey, link)
  }

  /** Normalizes a value at a link position; returns its link, or NOT_LINK for a leaf. */
  writeLink(w: Write, plan: Plan, v: unknown, path: string): Link | typeof NOT_LINK {
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
        return this.writeObject(w, plan, v, key ?? path).key
      }
      case "Array": {
        if (!Array.isArray(v)) return NOT_LINK
        const out = new Array<Link>(v.length)
        for (let i = 0; i < v.length; i++) {
          const item = this.writeLink(w, plan.item, v[i], `${path}.${i}`)
          out[i] = item === NOT_LINK ? null : item
        }
        return out
      }
      case "Union": {
        if (plan.select !== undefined && !Array.isArray(v)) {
          if (typeof v !== "object") return NOT_LINK
          const typename = (v as { readonly __typename?: unknown }).__typename
          return this.writeLink(w, plan.select(typeof typename === "string" ? typename : undefined), v, path)
        }
        for (const member of plan.members) {
          if (member._tag !== "Leaf" && member.guard(v)) return this.writeLink(w, member, v, path)
        }
        return NOT_LINK
      }
      case "Leaf":
        return NOT_LINK
    }
  }

  // ---------------------------------------------------------------------------------------------
  // reads

  /** Reads the synthetic object plan of a root field from the `Query` node. */
  readRoot(plan: ObjectPlan, now: number): ReadOutput {
    this.complete = true
    this.stale = false
    this.staleAt = Infinity
    this.now = now
    const value = this.readObject(this.root, plan)
    return { value, complete: this.complete, stale: this.stale, staleAt: this.staleAt }
  }

  /** Reads an object plan from a node key (a fragment). */
  readKey(plan: ObjectPlan, key: string, now: number): ReadOutput {
    this.complete = true
    this.stale = false
    this.staleAt = Infinity
    this.now = now
    const value = this.readObject(this.nodes.get(key), plan)
    return { value, complete: this.complete, stale: this.stale, staleAt: this.staleAt }
  }

  private findMemo(node: Node, plan: ObjectPlan): MemoSlot | undefined {
    if (plan.rootMemo !== undefined) return plan.rootMemo as Memo
    if (node.plan === plan) return node
    let memo = node.next
    while (memo !== undefined && memo.plan !== plan) memo = memo.next
    return memo
  }

  private readObject(node: Node | undefined, plan: ObjectPlan): unknown {
    if (node === undefined) return this.computeObject(undefined, plan, undefined)
    const memo = this.findMemo(node, plan)
    if (memo !== undefined && memo.seq === this.seq && (memo.expiry === undefined || this.now < memo.expiry.staleAt)) {
      if ((memo.flags & COMPLETE) === 0) this.complete = false
      if ((memo.flags & STALE) !== 0) this.stale = true
      if (memo.expiry !== undefined && memo.expiry.staleAt < this.staleAt) this.staleAt = memo.expiry.staleAt
      return memo.value
    }
    return this.computeObject(node, plan, memo)
  }

  private computeObject(node: Node | undefined, plan: ObjectPlan, memo: MemoSlot | undefined): unknown {
    const savedComplete = this.complete
    const savedStale = this.stale
    const savedStaleAt = this.staleAt
    this.complete = true
    this.stale = false
    this.staleAt = Infinity
    const now = this.now
    const prevValue = memo?.value
    const prev = typeof prevValue === "object" && prevValue !== null ? (prevValue as Record<string, unknown>) : undefined
    const memoOwnStaleAt = memo?.expiry === undefined ? Infinity : memo.expiry.ownStaleAt
    const same =
      node !== undefined && memo !== undefined && prev !== undefined && node.version <= memo.seq && now < memoOwnStaleAt
    let ownComplete = same ? (memo.flags & OWN_COMPLETE) !== 0 : true
    let ownStale = same ? (memo.flags & OWN_STALE) !== 0 : false
    let ownStaleAt = same ? memoOwnStaleAt : Infinity
    if (same && !plan.hasLinks) {
      this.complete = savedComplete && ownComplete
      this.stale = savedStale || ownStale
      this.staleAt = Math.min(savedStaleAt, ownStaleAt)
      memo.seq = this.seq
      return prevValue
    }
    const fields = plan.fields
    let out: Record<string, unknown> | undefined
    let missing = false
    for (let i = 0; i < fields.length; i++) {
      const fp = fields[i]!
      const fk = fp.fieldKey
      let v: unknown
      if (fp.resolver !== undefined) {
        const resolved = fp.resolver(node?.key)
        if (resolved === undefined) {
          ownComplete = false
          v = fp.optional ? OMIT : fp.nullable ? null : MISSING
        } else v = fp.plan._tag === "Leaf" || resolved === null ? resolved : this.readLink(fp.plan, resolved as Link, prev?.[fp.name])
      } else if (same) {
        if (fp.plan._tag === "Leaf") continue
        const link = this.getLink(node, fk)
        v = link === NONE ? (hasOwn(prev, fp.name) ? prev[fp.name] : OMIT) : this.readLink(fp.plan, link, prev[fp.name])
      } else {
        let link: Link | typeof NONE = NONE
        let record: unknown = NONE
        if (node !== undefined) {
          if (fp.plan._tag !== "Leaf") link = this.getLink(node, fk)
          if (link === NONE) record = this.getRecord(node, fk)
        }
        if (link === NONE && record === NONE) {
          if (fp.incidental !== true) ownComplete = false
          v = fp.optional ? OMIT : fp.nullable ? null : MISSING
        } else {
          const marks = node!.marks
          if (marks === undefined) {
            // neither marked stale nor timed
          } else if (marks.stale !== undefined && marks.stale.has(fk)) ownStale = true
          else if (marks.times !== undefined) {
            const t = marks.times[fk]
            if (t !== undefined) {
              const at = t + this.lifetime
              if (now >= at) ownStale = true
              else if (at < ownStaleAt) ownStaleAt = at
            }
          }
          if (link !== NONE) v = this.readLink(fp.plan, link, prev?.[fp.name])
          else {
            if (record instanceof Encoded) {
              record = this.decode(fp.ast, record.encoded)
              if (record === NONE) ownComplete = false
              else if (node!.overlays === 0 || hasOwn(node!.records, fk)) node!.records[fk] = record
            }
            v = record === NONE ? (fp.optional ? OMIT : fp.nullable ? null : MISSING) : record === undefined && fp.optional ? OMIT : record
          }
        }
      }
      if (v === MISSING) {
        if (fp.nullable) v = null
        else {
          missing = true
          break
        }
      }
      if (out === undefined) {
        if (prev !== undefined && (v === OMIT ? !hasOwn(prev, fp.name) : prev[fp.name] === v && (v !== undefined || hasOwn(prev, fp.name)))) {
          continue
        }
        out = new plan.shape()
        for (let j = 0; j < i; j++) {
          const name = fields[j]!.name
          if (prev !== undefined && hasOwn(prev, name)) out[name] = prev[name]
        }
      }
      if (v !== OMIT) out[fp.name] = v
    }
    if (out !== undefined && same) {
      // leaves were skipped: copy the remaining leaves from prev in field order
      const rebuilt = new plan.shape()
      for (const fp of fields) {
        if (hasOwn(out, fp.name)) rebuilt[fp.name] = out[fp.name]
        else if (fp.plan._tag === "Leaf" && hasOwn(prev!, fp.name)) rebuilt[fp.name] = prev![fp.name]
      }
      out = rebuilt
    }
    const value = missing ? MISSING : (out ?? prev ?? {})
    const complete = ownComplete && this.complete && !missing
    const stale = ownStale || this.stale
    const staleAt = Math.min(ownStaleAt, this.staleAt)
    if (node !== undefined) {
      const flags = (complete ? COMPLETE : 0) | (stale ? STALE : 0) | (ownComplete ? OWN_COMPLETE : 0) |
        (ownStale ? OWN_STALE : 0)
      const expiry = expiryOf(staleAt, ownStaleAt)
      if (memo === undefined && isRootPlan(plan)) plan.rootMemo = new Memo(plan, value, flags, this.seq, expiry)
      else if (memo === undefined && node.plan !== undefined) {
        const target = new Memo(plan, value, flags, this.seq, expiry)
        target.next = node.next
        node.next = target
      } else {
        const target = memo ?? node
        if (memo === undefined) node.plan = plan
        target.value = value
        target.flags = flags
        target.seq = this.seq
        target.expiry = expiry
      }
    }
    this.complete = savedComplete && complete
    this.stale = savedStale || stale
    this.staleAt = Math.min(savedStaleAt, staleAt)
    return value
  }

  private readLink(plan: Plan, link: Link, prev: unknown): unknown {
    if (link === null) return null
    switch (plan._tag) {
      case "Object":
        if (typeof link !== "string") return MISSING
        return this.readObject(this.nodes.get(link), plan)
      case "Array":
        return this.readArray(plan, link, prev)
      case "Union":
        return this.readUnion(plan, link, prev)
      case "Leaf":
        return MISSING
    }
  }

  private readArray(plan: ArrayPlan, link: Link, prev: unknown): unknown {
    if (!Array.isArray(link)) return MISSING
    const before = Array.isArray(prev) && prev.length === link.length ? (prev as ReadonlyArray<unknown>) : undefined
    let out: Array<unknown> | undefined
    for (let i = 0; i < link.length; i++) {
      let v = this.readLink(plan.item, link[i] as Link, before?.[i])
      if (v === MISSING) {
        if (plan.itemNullable) v = null
        else return MISSING
      }
      if (out === undefined) {
        if (before !== undefined && before[i] === v) continue
        out = new Array(link.length)
        for (let j = 0; j < i; j++) out[j] = before![j]
      }
      out[i] = v
    }
    return out ?? before ?? []
  }

  private readUnion(plan: UnionPlan, link: Link, prev: unknown): unknown {
    if (Array.isArray(link)) {
      const member = plan.members.find((m) => m._tag === "Array")
      return member === undefined ? MISSING : this.readLink(member, link, prev)
    }
    const key = link as string
    if (plan.select !== undefined) {
      const node = this.nodes.get(key)
      const typename = node?.typename ?? this.typenameAt(key)
      return this.readObject(node, plan.select(typename))
    }
    const typename = this.nodes.get(key)?.typename ?? keys.typenameOf(key)
    let member: Plan | undefined
    for (const m of plan.members) {
      if (m._tag === "Object" && m.entity !== undefined && m.entity.typename === typename) {
        member = m
        break
      }
    }
    if (member === undefined) member = plan.members.find((m) => m._tag === "Object" && m.entity === undefined)
    return member === undefined ? MISSING : this.readLink(member, link, prev)
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
  // reachability

  /** Visits every node key a plan reaches from a link (the dependencies of a read). */
  collect(plan: Plan, link: Link, out: Set<string>, seen: Set<string>): void {
    if (link === null) return
    switch (plan._tag) {
      case "Object": {
        if (typeof link !== "string") return
        const mark = `${plan.id}\u0000${link}`
        if (seen.has(mark)) return
        seen.add(mark)
        out.add(link)
        const node = this.nodes.get(link)
        if (node === undefined || !plan.hasLinks) return
        for (const fp of plan.fields) {
          if (fp.plan._tag === "Leaf") continue
          const next = fp.resolver !== undefined ? (fp.resolver(link) as Link | undefined) ?? NONE : this.getLink(node, fp.fieldKey)
          if (next !== NONE) this.collect(fp.plan, next, out, seen)
        }
        return
      }
      case "Array":
        if (Array.isArray(link)) for (const item of link) this.collect(plan.item, item as Link, out, seen)
        return
      case "Union":
        if (Array.isArray(link)) {
          for (const m of plan.members) if (m._tag === "Array") this.collect(m, link, out, seen)
        } else if (plan.select !== undefined) {
          this.collect(plan.select(this.typenameAt(link as string)), link, out, seen)
        } else {
          const typename = this.nodes.get(link as string)?.typename ?? keys.typenameOf(link as string)
          const member =
            plan.members.find((m) => m._tag === "Object" && m.entity?.typename === typename) ??
            plan.members.find((m) => m._tag === "Object" && m.entity === undefined)
          if (member !== undefined) this.collect(member, link, out, seen)
        }
        return
      case "Leaf":
        return
    }
  }

  /** Every link a node holds, through the layers. */
  linksOf(node: Node, visit: (link: Link) => void): void {
    if (node.links !== undefined) for (const fk in node.links) visit(node.links[fk]!)
    if (node.overlays > 0) {
      for (const layer of this.layers) {
        const entry = layer.entries.get(node.key)
        if (entry !== undefined) for (const fk in entry.links) visit(entry.links[fk]!)
      }
    }
  }
}

const isRootPlan = (plan: ObjectPlan): boolean => plan.id < 0

/** Visits every key in a link. @internal */
export const forEachKey = (link: Link, visit: (key: string) => void): void => {
  if (link === null) return
  if (typeof link === "string") visit(link)
  else for (const item of link) forEachKey(item, visit)
}
