/**
 * Memoized reads: a plan read from a node gives a value that shares every unchanged part with
 * the previous read, with whether it is complete and stale and when it turns stale. Each node
 * remembers the last read of each plan (its memo); a read whose memo is current returns it as
 * is, and a node whose own fields are unchanged re-reads only its links.
 * @internal
 */
import type { Data, Link, Node } from "./data.js"
import { Encoded, hasOwn, NONE } from "./data.js"
import * as keys from "./keys.js"
import type { ArrayPlan, ObjectPlan, Plan, UnionPlan } from "./plan.js"

/** A read that cannot produce a value (a required field is missing). @internal */
export const MISSING: unique symbol = Symbol.for("@cachet/normalize/MISSING")
/** A field left out of the value (optional and absent). */
const OMIT: unique symbol = Symbol.for("@cachet/normalize/OMIT")

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

/** A memo of a plan other than a node's first (chained from the node). @internal */
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

/** The result of a read. @internal */
export interface ReadOutput {
  readonly value: unknown
  readonly complete: boolean
  readonly stale: boolean
  readonly staleAt: number
}

/**
 * What the values read so far inside one object add up to: complete, stale, and the earliest
 * time one turns stale. An object being computed reads its children into a frame of its own
 * ({@link ReadState.frame}, one per depth, reused from read to read) and adds its total to its
 * parent's when done.
 * @internal
 */
export class ReadState {
  complete = true
  stale = false
  staleAt = Infinity
  now = 0
  private inner: ReadState | undefined = undefined

  /** Starts a read (of a root or a fragment) at `now`. */
  reset(now: number): this {
    this.complete = true
    this.stale = false
    this.staleAt = Infinity
    this.now = now
    return this
  }

  /** The frame for the children of an object read at this depth, reset. */
  frame(): ReadState {
    const inner = (this.inner ??= new ReadState())
    return inner.reset(this.now)
  }

  /** Adds one value's state to the total. */
  add(complete: boolean, stale: boolean, staleAt: number): void {
    if (!complete) this.complete = false
    if (stale) this.stale = true
    if (staleAt < this.staleAt) this.staleAt = staleAt
  }
}

/** Reads an object plan from a node (or from nothing: every field missing) with a fresh state. @internal */
export const read = (
  data: Data,
  state: ReadState,
  node: Node | undefined,
  plan: ObjectPlan,
  now: number
): ReadOutput => {
  state.reset(now)
  const value = readObject(data, state, node, plan)
  return { value, complete: state.complete, stale: state.stale, staleAt: state.staleAt }
}

/** Reads a plan at a link (the entities a result's field was normalized to) with a fresh state. @internal */
export const readAt = (data: Data, state: ReadState, plan: Plan, link: Link, now: number): ReadOutput => {
  state.reset(now)
  const value = readLink(data, state, plan, link, undefined)
  return { value, complete: state.complete, stale: state.stale, staleAt: state.staleAt }
}

const isRootPlan = (plan: ObjectPlan): boolean => plan.id < 0

const findMemo = (node: Node, plan: ObjectPlan): MemoSlot | undefined => {
  if (plan.rootMemo !== undefined) return plan.rootMemo as Memo
  if (node.plan === plan) return node
  let memo = node.next
  while (memo !== undefined && memo.plan !== plan) memo = memo.next
  return memo
}

const readObject = (data: Data, state: ReadState, node: Node | undefined, plan: ObjectPlan): unknown => {
  if (node === undefined) return computeObject(data, state, undefined, plan, undefined)
  const memo = findMemo(node, plan)
  if (memo !== undefined && memo.seq === data.seq && (memo.expiry === undefined || state.now < memo.expiry.staleAt)) {
    if ((memo.flags & COMPLETE) === 0) state.complete = false
    if ((memo.flags & STALE) !== 0) state.stale = true
    if (memo.expiry !== undefined && memo.expiry.staleAt < state.staleAt) state.staleAt = memo.expiry.staleAt
    return memo.value
  }
  return computeObject(data, state, node, plan, memo)
}

const computeObject = (
  data: Data,
  state: ReadState,
  node: Node | undefined,
  plan: ObjectPlan,
  memo: MemoSlot | undefined
): unknown => {
  const now = state.now
  const prevValue = memo?.value
  const prev = typeof prevValue === "object" && prevValue !== null ? (prevValue as Record<string, unknown>) : undefined
  const memoOwnStaleAt = memo?.expiry === undefined ? Infinity : memo.expiry.ownStaleAt
  const same = node !== undefined && memo !== undefined && prev !== undefined && node.version <= memo.seq &&
    now < memoOwnStaleAt
  let ownComplete = same ? (memo.flags & OWN_COMPLETE) !== 0 : true
  let ownStale = same ? (memo.flags & OWN_STALE) !== 0 : false
  let ownStaleAt = same ? memoOwnStaleAt : Infinity
  if (same && !plan.hasLinks) {
    state.add(ownComplete, ownStale, ownStaleAt)
    memo.seq = data.seq
    return prevValue
  }
  const children = state.frame()
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
        v = fp.optional || fp.deferred === true ? OMIT : fp.nullable || fp.absentNull === true ? null : MISSING
      } else {
        v = fp.plan._tag === "Leaf" || resolved === null
          ? resolved
          : readLink(data, children, fp.plan, resolved as Link, prev?.[fp.name])
      }
    } else if (same) {
      if (fp.plan._tag === "Leaf") continue
      const link = data.getLink(node, fk)
      v = link === NONE
        ? (hasOwn(prev, fp.name) ? prev[fp.name] : OMIT)
        : readLink(data, children, fp.plan, link, prev[fp.name])
    } else {
      let link: Link | typeof NONE = NONE
      let record: unknown = NONE
      if (node !== undefined) {
        if (fp.plan._tag !== "Leaf") link = data.getLink(node, fk)
        if (link === NONE) record = data.getRecord(node, fk)
      }
      if (link === NONE && record === NONE) {
        if (fp.incidental !== true) ownComplete = false
        v = fp.optional || fp.deferred === true ? OMIT : fp.nullable || fp.absentNull === true ? null : MISSING
      } else {
        const marks = node!.marks
        if (marks === undefined) {
          // neither marked stale nor timed
        } else if (marks.stale !== undefined && marks.stale.has(fk)) ownStale = true
        else if (marks.times !== undefined) {
          const t = marks.times[fk]
          if (t !== undefined) {
            const at = t + data.lifetime
            if (now >= at) ownStale = true
            else if (at < ownStaleAt) ownStaleAt = at
          }
        }
        if (link !== NONE) v = readLink(data, children, fp.plan, link, prev?.[fp.name])
        else {
          if (record instanceof Encoded) {
            record = data.decode(fp.ast, record.encoded)
            if (record === NONE) ownComplete = false
            else if (node!.overlays === 0 || hasOwn(node!.records, fk)) node!.records[fk] = record
          }
          v = record === NONE
            ? (fp.optional || fp.deferred === true ? OMIT : fp.nullable || fp.absentNull === true ? null : MISSING)
            : record === undefined && fp.optional
            ? OMIT
            : record
        }
      }
    }
    if (v === null && fp.required === true) v = MISSING
    if (v === MISSING) {
      if (fp.nullable) v = null
      else {
        missing = true
        break
      }
    }
    if (out === undefined) {
      if (
        prev !== undefined &&
        (v === OMIT ? !hasOwn(prev, fp.name) : prev[fp.name] === v && (v !== undefined || hasOwn(prev, fp.name)))
      ) {
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
  const complete = ownComplete && children.complete && !missing
  const stale = ownStale || children.stale
  const staleAt = Math.min(ownStaleAt, children.staleAt)
  if (node !== undefined) {
    saveMemo(data, node, plan, memo, value, complete, stale, ownComplete, ownStale, staleAt, ownStaleAt)
  }
  state.add(complete, stale, staleAt)
  return value
}

const saveMemo = (
  data: Data,
  node: Node,
  plan: ObjectPlan,
  memo: MemoSlot | undefined,
  value: unknown,
  complete: boolean,
  stale: boolean,
  ownComplete: boolean,
  ownStale: boolean,
  staleAt: number,
  ownStaleAt: number
): void => {
  const flags = (complete ? COMPLETE : 0) | (stale ? STALE : 0) | (ownComplete ? OWN_COMPLETE : 0) |
    (ownStale ? OWN_STALE : 0)
  const expiry = expiryOf(staleAt, ownStaleAt)
  if (memo === undefined && isRootPlan(plan)) plan.rootMemo = new Memo(plan, value, flags, data.seq, expiry)
  else if (memo === undefined && node.plan !== undefined) {
    const target = new Memo(plan, value, flags, data.seq, expiry)
    target.next = node.next
    node.next = target
  } else {
    const target = memo ?? node
    if (memo === undefined) node.plan = plan
    target.value = value
    target.flags = flags
    target.seq = data.seq
    target.expiry = expiry
  }
}

const readLink = (data: Data, state: ReadState, plan: Plan, link: Link, prev: unknown): unknown => {
  if (link === null) return null
  switch (plan._tag) {
    case "Object":
      if (typeof link !== "string") return MISSING
      return readObject(data, state, data.nodes.get(link), plan)
    case "Array":
      return readArray(data, state, plan, link, prev)
    case "Union":
      return readUnion(data, state, plan, link, prev)
    case "Leaf":
      return MISSING
  }
}

const readArray = (data: Data, state: ReadState, plan: ArrayPlan, link: Link, prev: unknown): unknown => {
  if (!Array.isArray(link)) return MISSING
  const before = Array.isArray(prev) && prev.length === link.length ? (prev as ReadonlyArray<unknown>) : undefined
  let out: Array<unknown> | undefined
  for (let i = 0; i < link.length; i++) {
    let v = readLink(data, state, plan.item, link[i] as Link, before?.[i])
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

const readUnion = (data: Data, state: ReadState, plan: UnionPlan, link: Link, prev: unknown): unknown => {
  if (Array.isArray(link)) {
    const member = plan.members.find((m) => m._tag === "Array")
    return member === undefined ? MISSING : readLink(data, state, member, link, prev)
  }
  const key = link as string
  if (plan.select !== undefined) {
    const node = data.nodes.get(key)
    const typename = node?.typename ?? data.typenameAt(key)
    return readObject(data, state, node, plan.select(typename))
  }
  const typename = data.nodes.get(key)?.typename ?? keys.typenameOf(key)
  let member: Plan | undefined
  for (const m of plan.members) {
    if (m._tag === "Object" && m.entity !== undefined && m.entity.typename === typename) {
      member = m
      break
    }
  }
  if (member === undefined) member = plan.members.find((m) => m._tag === "Object" && m.entity === undefined)
  return member === undefined ? MISSING : readLink(data, state, member, link, prev)
}
