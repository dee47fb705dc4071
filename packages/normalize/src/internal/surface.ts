/**
 * The operations a graph's service and its transactions both expose, in one table: each entry
 * says whether it reads (at a time), writes (in a {@link Write}) or neither, and how it calls the
 * graph's operations. The service runs an entry in an effect of its own (a write commits); a
 * transaction runs it in the mutation's write, while the transaction is open.
 * @internal
 */
import { Effect } from "effect"

import type * as EG from "../EntityGraph.js"
import { InvalidCacheCall } from "./errors.js"
import type { AnySchema, Operations } from "./operations.js"
import type { Link, Write } from "./store.js"

type Run<First> = (first: First, ...args: Array<never>) => unknown

/** One entry of the table. @internal */
export type Operation =
  | { readonly kind: "read"; readonly run: Run<number> }
  | { readonly kind: "write"; readonly run: Run<Write> }
  | { readonly kind: "sync"; readonly run: (...args: Array<never>) => unknown }

const read = (run: Run<number>): Operation => ({ kind: "read", run })
const write = (run: Run<Write>): Operation => ({ kind: "write", run })
const sync = (run: (...args: Array<never>) => unknown): Operation => ({ kind: "sync", run })

type Call = (first: unknown, ...args: ReadonlyArray<unknown>) => unknown

/** `link(entity, fieldKey, links)` or `link(entity, field, args, links)`. */
const linkArgs = (
  rest: ReadonlyArray<unknown>
): { fieldKey: string; links: Link } | { field: string; args: EG.Args; links: Link } =>
  rest.length >= 3
    ? { field: rest[0] as string, args: rest[1] as EG.Args, links: rest[2] as Link }
    : { fieldKey: rest[0] as string, links: rest[1] as Link }

/** The operations of a transaction (`EG.Tx`), each also a service operation. @internal */
export const txOperations = (ops: Operations) =>
  ({
    writeQuery: write((w, field: string, args: EG.Args, schema: AnySchema, data: unknown) =>
      ops.writeQuery(w, field, args, schema, data)
    ),
    readQuery: read((now, field: string, args: EG.Args, schema: AnySchema, options?: EG.ReadOptions) =>
      ops.readQuery(now, field, args, schema, options?.partial === true)
    ),
    updateQuery: write((w, field: string, args: EG.Args, schema: AnySchema, f: (data: unknown) => unknown) =>
      ops.updateQuery(w, field, args, schema, f)
    ),
    writeFragment: write((w, schema: AnySchema, data: unknown) => ops.writeFragment(w, schema, data)),
    readFragment: read((now, schema: AnySchema, entity: EG.EntityRef, options?: EG.ReadOptions) =>
      ops.readFragment(now, schema, entity, options?.partial === true)
    ),
    link: write((w, entity: EG.EntityRef, ...rest: ReadonlyArray<unknown>) => {
      const link = linkArgs(rest)
      ops.link(w, entity, "fieldKey" in link ? link.fieldKey : ops.fieldKeyOf(link.field, link.args), link.links)
    }),
    resolve: sync((entity: EG.EntityRef, field: string, args?: EG.Args) =>
      ops.resolve(entity, ops.fieldKeyOf(field, args))
    ),
    inspectFields: sync((entity: EG.EntityRef) => ops.inspectFields(entity)),
    keyOf: sync((entity: EG.EntityRef) => ops.keyOfRef(entity)),
    invalidate: write((w, entity: EG.EntityRef, field?: string, args?: EG.Args) =>
      ops.invalidate(w, entity, field, args)
    )
  }) satisfies Record<keyof EG.Tx, Operation>

/** The operations of the service beyond a transaction's that the table also builds. @internal */
export const serviceOperations = (ops: Operations) =>
  ({
    ...txOperations(ops),
    invalidateType: write((w, typename: string) => ops.invalidateType(w, typename)),
    markStale: write((w, target?: EG.EntityRef, options?: EG.MarkStaleOptions) => ops.markStale(w, target, options))
  }) satisfies Partial<Record<keyof EG.Service, Operation>>

/** A transaction over one write; it fails with `InvalidCacheCall` once closed. @internal */
export const makeTx = (
  table: Record<keyof EG.Tx, Operation>,
  w: Write,
  name: string
): { readonly tx: EG.Tx; readonly close: () => void } => {
  let open = true
  const tx: Record<string, unknown> = {}
  for (const operation of Object.keys(table) as Array<keyof EG.Tx>) {
    const entry = table[operation]
    const run = entry.run as Call
    const first = entry.kind === "read" ? () => w.now : entry.kind === "write" ? () => w : undefined
    tx[operation] = (...args: ReadonlyArray<unknown>) =>
      Effect.suspend(() =>
        open
          ? Effect.sync(() =>
            first === undefined
              ? (entry.run as (...a: ReadonlyArray<unknown>) => unknown)(...args)
              : run(first(), ...args)
          )
          : Effect.fail(new InvalidCacheCall({ operation, mutation: name }))
      )
  }
  return { tx: tx as unknown as EG.Tx, close: () => (open = false) }
}

/** The service's operations from the table: a read at the clock's time, a write committed. @internal */
export const makeServiceOperations = <T extends Record<string, Operation>>(
  table: T,
  reading: <A>(f: (now: number) => A) => Effect.Effect<A>,
  writing: <A>(f: (w: Write) => A) => Effect.Effect<A>
): Record<keyof T, (...args: ReadonlyArray<unknown>) => Effect.Effect<unknown>> => {
  const out = {} as Record<keyof T, (...args: ReadonlyArray<unknown>) => Effect.Effect<unknown>>
  for (const operation of Object.keys(table) as Array<keyof T>) {
    const entry = table[operation]!
    const run = entry.run as Call
    out[operation] = entry.kind === "read"
      ? (...args) => reading((now) => run(now, ...args))
      : entry.kind === "write"
      ? (...args) => writing((w) => run(w, ...args))
      : (...args) => Effect.sync(() => (entry.run as (...a: ReadonlyArray<unknown>) => unknown)(...args))
  }
  return out
}
