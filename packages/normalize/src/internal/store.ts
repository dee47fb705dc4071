/**
 * The normalized store: the {@link Data} (nodes, links, optimistic layers) with normalization
 * (`write.ts`), memoized reads (`read.ts`) and reachability (`reachability.ts`) as its methods,
 * the one object the graph and the document front end hold.
 * @internal
 */
import type { Link, Node, Write } from "./data.js"
import { Data } from "./data.js"
import type { FieldPlan, ObjectPlan, Plan } from "./plan.js"
import { collect } from "./reachability.js"
import type { ReadOutput } from "./read.js"
import { read, readAt, ReadState } from "./read.js"
import type { NOT_LINK } from "./write.js"
import { writeField, writeLink, writeObject } from "./write.js"

export type { Layer, LayerEntry, Link, Marks, Write } from "./data.js"
export { depKey, Encoded, forEachKey, Node, NONE } from "./data.js"
export { linkEqual, valueEqual } from "./equal.js"
export type { Expiry, MemoSlot, ReadOutput } from "./read.js"
export { Memo, MISSING } from "./read.js"

/** The store of one graph. @internal */
export class Store extends Data {
  /** The state of the read in progress (reads are synchronous, one at a time). */
  private readonly reading = new ReadState()

  /** Writes an object by its plan into the node `key`; returns the node. */
  writeObject(w: Write, plan: ObjectPlan, value: object, key: string): Node {
    return writeObject(this, w, plan, value, key)
  }

  /** Writes one field's value into a node. */
  writeField(w: Write, node: Node, fp: FieldPlan, v: unknown): void {
    writeField(this, w, node, fp, v)
  }

  /** Normalizes a value at a link position; returns its link, or NOT_LINK for a leaf. */
  writeLink(w: Write, plan: Plan, v: unknown, path: string): Link | typeof NOT_LINK {
    return writeLink(this, w, plan, v, path)
  }

  /** Reads the synthetic object plan of a root field from the `Query` node. */
  readRoot(plan: ObjectPlan, now: number): ReadOutput {
    return read(this, this.reading, this.root, plan, now)
  }

  /** Reads a plan at a link (the entities a mutation's field was written to). */
  readLinkAt(plan: Plan, link: Link, now: number): ReadOutput {
    return readAt(this, this.reading, plan, link, now)
  }

  /** Reads an object plan from a node key (a fragment). */
  readKey(plan: ObjectPlan, key: string, now: number): ReadOutput {
    return read(this, this.reading, this.nodes.get(key), plan, now)
  }

  /** Adds to `out` every node key a plan reaches from a link (the dependencies of a read). */
  collect(plan: Plan, link: Link, out: Set<string>, seen: Set<string>): void {
    collect(this, plan, link, out, seen)
  }
}
