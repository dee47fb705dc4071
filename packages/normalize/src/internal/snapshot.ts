/**
 * Versioned snapshots of the base graph (not the optimistic layers) as JSON text. Leaves that
 * are not plain JSON (Dates, bigints, Options...) are encoded by the Schema that wrote them and
 * decoded lazily by the first Schema that reads them after a restore.
 * @internal
 */
import type { SchemaAST as AST } from "effect"
import { Either, Schema } from "effect"

import type { Compiler } from "./plan.js"
import type { Link, Store, Write } from "./store.js"
import { depKey, Encoded, NONE } from "./store.js"

/** @internal */
export const FORMAT = "@cachet/normalize/snapshot"
/** @internal */
export const VERSION = 1

type NodeRow = readonly [
  key: string,
  typename: string | null,
  records: Record<string, unknown>,
  links: Record<string, Link> | null,
  encoded: Record<string, unknown> | null,
  absent: ReadonlyArray<string> | null
]

interface SnapshotV1 {
  readonly format: typeof FORMAT
  readonly version: 1
  readonly nodes: ReadonlyArray<NodeRow>
  readonly recent: ReadonlyArray<string>
}

const isJson = (value: unknown): boolean => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0)
    case "object": {
      if (value === null) return true
      if (Array.isArray(value)) return value.every(isJson)
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return false
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k]
        if (v !== undefined && !isJson(v)) return false
      }
      return true
    }
    default:
      return false
  }
}

/** @internal */
export const encode = (
  store: Store,
  compiler: Compiler,
  recent: Iterable<string>
): { readonly text: string; readonly dropped: number } => {
  const nodes: Array<NodeRow> = []
  let dropped = 0
  for (const node of store.nodes.values()) {
    const records: Record<string, unknown> = {}
    let encoded: Record<string, unknown> | null = null
    let absent: Array<string> | null = null
    for (const fk of Object.keys(node.records)) {
      const value = node.records[fk]
      if (value === undefined) {
        ;(absent ??= []).push(fk)
      } else if (value instanceof Encoded) {
        ;(encoded ??= {})[fk] = value.encoded
      } else if (isJson(value)) {
        records[fk] = value
      } else {
        const ast = compiler.leaves.get(`${node.typename ?? ""}.${fk}`)
        const result = ast === undefined ? undefined : Schema.encodeUnknownEither(Schema.make(ast))(value)
        if (result !== undefined && Either.isRight(result) && isJson(result.right)) {
          ;(encoded ??= {})[fk] = result.right
        } else dropped++
      }
    }
    const links = node.links === undefined || Object.keys(node.links).length === 0 ? null : node.links
    if (Object.keys(records).length === 0 && links === null && encoded === null && absent === null) continue
    nodes.push([node.key, node.typename ?? null, records, links, encoded, absent])
  }
  const snapshot: SnapshotV1 = { format: FORMAT, version: VERSION, nodes, recent: [...recent] }
  return { text: JSON.stringify(snapshot), dropped }
}

/** Applies a snapshot to the base graph; `undefined` when the text is not a snapshot of a known version. @internal */
export const decode = (text: string): SnapshotV1 | undefined => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof raw !== "object" || raw === null) return undefined
  const snapshot = raw as Partial<SnapshotV1>
  if (snapshot.format !== FORMAT || snapshot.version !== VERSION || !Array.isArray(snapshot.nodes)) return undefined
  return snapshot as SnapshotV1
}

/** @internal */
export const apply = (store: Store, w: Write, snapshot: SnapshotV1): void => {
  for (const [key, typename, records, links, encoded, absent] of snapshot.nodes) {
    const node = store.ensureNode(key, typename ?? undefined)
    const fields = new Set<string>()
    for (const fk of Object.keys(records)) {
      node.records[fk] = records[fk]
      fields.add(fk)
    }
    if (encoded !== null) {
      for (const fk of Object.keys(encoded)) {
        node.records[fk] = new Encoded(encoded[fk])
        fields.add(fk)
      }
    }
    if (absent !== null) {
      for (const fk of absent) {
        node.records[fk] = undefined
        fields.add(fk)
      }
    }
    if (links !== null) {
      node.links ??= {}
      for (const fk of Object.keys(links)) {
        node.links[fk] = links[fk]!
        fields.add(fk)
      }
    }
    node.version = ++store.seq
    w.changed.add(key)
    for (const fk of fields) w.changed.add(depKey(key, fk))
  }
}

/** @internal */
export const decoderCache = () => {
  const decoders = new Map<AST.AST, (u: unknown) => Either.Either<unknown, unknown>>()
  return (ast: AST.AST, encoded: unknown): unknown => {
    let decoder = decoders.get(ast)
    if (decoder === undefined) {
      decoder = Schema.decodeUnknownEither(Schema.make(ast))
      decoders.set(ast, decoder)
    }
    const result = decoder(encoded)
    return Either.isRight(result) ? result.right : NONE
  }
}
