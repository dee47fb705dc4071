/**
 * A durable journal of the invalidations the store has not acknowledged (the outbox). Without
 * it, an invalidation deferred while the store is down lives only in the process's memory and a
 * crash loses it. With it, the cache writes each deferred invalidation to a file and flushes it
 * (`fsync`) before `invalidate` returns, removes it once the store acknowledges it, and a cache
 * that starts over the same journal replays what it finds — honouring it (serving no entry it
 * covers) before its first read.
 *
 * The journal is an append-only file of JSON lines per cache namespace in a directory of the
 * user's (`<directory>/<namespace>.outbox.jsonl`), emptied whenever nothing is pending. One
 * process owns a directory: give each process (or each instance of the app) its own.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type { Scope } from "effect"
import { Context, Data, Effect, Layer, Schema } from "effect"

/**
 * An invalidation the store has not acknowledged: a hard or soft bump of tag paths, or the
 * delete of store keys.
 *
 * @since 0.1.0
 * @category models
 */
export const Invalidation = Schema.Union(
  Schema.TaggedStruct("Bump", { paths: Schema.Array(Schema.String), mode: Schema.Literal("hard", "soft") }),
  Schema.TaggedStruct("Delete", { keys: Schema.Array(Schema.String) })
)

/**
 * @since 0.1.0
 * @category models
 */
export type Invalidation = typeof Invalidation.Type

/**
 * The journal could not be opened, written or read.
 *
 * @since 0.1.0
 * @category errors
 */
export class OutboxError extends Data.TaggedError("OutboxError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `outbox ${this.path}: ${this.reason}`
  }
}

/**
 * The journal of one cache namespace.
 *
 * @since 0.1.0
 * @category models
 */
export interface Journal {
  /** The file. */
  readonly path: string
  /** What the journal held when it was opened, oldest first: invalidations never acknowledged. */
  readonly recovered: ReadonlyArray<Invalidation>
  /** Writes an invalidation and flushes it to disk before succeeding. */
  readonly append: (invalidation: Invalidation) => Effect.Effect<void, OutboxError>
  /**
   * Forgets invalidations the store acknowledged (the very objects appended or recovered); the
   * file is emptied when nothing is left.
   */
  readonly acknowledge: (invalidations: ReadonlyArray<Invalidation>) => Effect.Effect<void, OutboxError>
}

/**
 * Opens the journal of a cache namespace.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The directory of the journals. */
  readonly directory: string
  /** Opens (creating it if needed) the journal named `name`, for the scope's lifetime. */
  readonly open: (name: string) => Effect.Effect<Journal, OutboxError, Scope.Scope>
}

/**
 * The outbox service; a `Cache` built where it is provided journals its deferred invalidations.
 *
 * @since 0.1.0
 * @category tags
 */
export class Outbox extends Context.Tag("@cachet/core/Outbox")<Outbox, Service>() {}

/**
 * Options of the file outbox.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The directory of the journals (created if missing). */
  readonly directory: string
}

const Line = Schema.parseJson(Schema.Union(
  Schema.Struct({ add: Schema.Number, invalidation: Invalidation }),
  Schema.Struct({ ack: Schema.Array(Schema.Number) })
))
const decodeLine = Schema.decodeUnknownOption(Line)

/** A namespace as a file name: anything but letters, digits, `-`, `_` and `.` is escaped. */
const fileName = (name: string): string =>
  `${name.replace(/[^A-Za-z0-9_.-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}.outbox.jsonl`

const encoder = new TextEncoder()

/**
 * What a journal's text holds: the invalidations added and never acknowledged, oldest first,
 * and the last sequence number used. A line that does not parse (the torn last write of a crash)
 * is skipped.
 *
 * @since 0.1.0
 * @category utils
 */
export const replay = (
  text: string
): { readonly pending: ReadonlyArray<readonly [number, Invalidation]>; readonly last: number } => {
  const added = new Map<number, Invalidation>()
  let last = 0
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue
    const line = decodeLine(raw)
    if (line._tag === "None") continue
    if ("add" in line.value) {
      added.set(line.value.add, line.value.invalidation)
      last = Math.max(last, line.value.add)
    } else {
      for (const seq of line.value.ack) added.delete(seq)
    }
  }
  return { pending: [...added].sort(([a], [b]) => a - b), last }
}

/**
 * A file outbox over the `FileSystem` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, OutboxError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const { directory } = options
    yield* fs.makeDirectory(directory, { recursive: true }).pipe(
      Effect.mapError((error) => new OutboxError({ path: directory, reason: error.message }))
    )

    const open = (name: string) =>
      Effect.gen(function*() {
        const path = `${directory.replace(/\/+$/, "")}/${fileName(name)}`
        const fail = (error: { readonly message: string }) => new OutboxError({ path, reason: error.message })
        const text = (yield* fs.exists(path).pipe(Effect.mapError(fail))) ?
          yield* fs.readFileString(path).pipe(Effect.mapError(fail)) :
          ""
        const { last, pending } = replay(text)
        const file = yield* fs.open(path, { flag: "a" }).pipe(Effect.mapError(fail))
        const lock = yield* Effect.makeSemaphore(1)
        // Outstanding entries: the appended (or recovered) object -> its sequence number.
        const outstanding = new Map<Invalidation, number>()
        for (const [seq, invalidation] of pending) outstanding.set(invalidation, seq)
        let next = last
        const write = (line: unknown, flush: boolean) =>
          file.writeAll(encoder.encode(`${JSON.stringify(line)}\n`)).pipe(
            Effect.zipRight(flush ? file.sync : Effect.void),
            Effect.mapError(fail)
          )
        // A journal whose entries were all acknowledged before the crash starts empty.
        if (pending.length === 0 && text !== "") yield* file.truncate(0).pipe(Effect.mapError(fail))

        const journal: Journal = {
          path,
          recovered: pending.map(([, invalidation]) => invalidation),
          append: (invalidation) =>
            lock.withPermits(1)(Effect.suspend(() => {
              const seq = ++next
              return Effect.zipRight(
                write({ add: seq, invalidation }, true),
                Effect.sync(() => outstanding.set(invalidation, seq))
              )
            })),
          acknowledge: (invalidations) =>
            lock.withPermits(1)(Effect.suspend(() => {
              const seqs: Array<number> = []
              for (const invalidation of invalidations) {
                const seq = outstanding.get(invalidation)
                if (seq === undefined) continue
                outstanding.delete(invalidation)
                seqs.push(seq)
              }
              if (seqs.length === 0) return Effect.void
              // Nothing left: empty the file. A lost acknowledgement only replays a bump again.
              return outstanding.size === 0 ? Effect.mapError(file.truncate(0), fail) : write({ ack: seqs }, false)
            }))
        }
        return journal
      })

    return { directory, open }
  })

/**
 * The file outbox as a layer.
 *
 * @example
 * ```ts
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Cache, MemoryStore, Outbox } from "@cachet/core"
 * import { Layer } from "effect"
 *
 * // Deferred invalidations are journaled under ./var/outbox and survive a crash.
 * export const CacheLive = Cache.layer({ namespace: "blog" }).pipe(
 *   Layer.provide(MemoryStore.layer()),
 *   Layer.provide(Outbox.layer({ directory: "./var/outbox" })),
 *   Layer.provide(NodeFileSystem.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Outbox, OutboxError, FileSystem.FileSystem> =>
  Layer.effect(Outbox, make(options))
