/**
 * The in-process store: a `Store` and `TagVersions` in one, LRU-bounded by entries and by
 * size, honouring expiry lazily on read and sweeping expired entries in a scoped background
 * fiber.
 *
 * @since 0.1.0
 */
import type { Scope } from "effect"
import { Duration, Effect, Layer, Option, Schedule } from "effect"

import * as Store from "./Store.js"
import * as Tag from "./Tag.js"
import * as TagVersions from "./TagVersions.js"

/**
 * Bounds and housekeeping of a memory store.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Most entries kept; the least recently used go first (default 100,000). */
  readonly maxEntries?: number
  /** Most total size kept, counted as `Store.sizeOf` (UTF-16 units of keys and values; default 128 Mi). */
  readonly maxBytes?: number
  /** How often expired entries are swept (default 1 minute). */
  readonly sweepInterval?: Duration.DurationInput
}

/**
 * A memory store's two services and its occupancy.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryStore extends Store.Backend {
  /** Entries held now. */
  readonly size: () => number
  /** Total size held now, as `Store.sizeOf` counts it. */
  readonly bytes: () => number
  /** Drops expired entries now; how many were dropped. */
  readonly sweep: Effect.Effect<number>
}

/** A stored entry in the recency list (oldest at `head`, newest at `tail`). */
interface Node extends Store.Slot {
  readonly key: string
  entry: Store.Entry
  size: number
  expiresAt: number
  prev: Node | undefined
  next: Node | undefined
}

/** The nodes under one key prefix, indexed by the rest of their keys. */
interface Space {
  readonly prefix: string
  readonly nodes: Map<string, Node>
}

/**
 * Builds a memory store whose sweeper fiber lives as long as the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<MemoryStore, never, Scope.Scope> =>
  Effect.gen(function*() {
    const memory = yield* makeUnscoped(options)
    const interval = Duration.decode(options.sweepInterval ?? Duration.minutes(1))
    yield* memory.sweep.pipe(Effect.repeat(Schedule.spaced(interval)), Effect.forkScoped, Effect.interruptible)
    return memory
  })

/**
 * Builds a memory store without a sweeper (expiry is still honoured on every read).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeUnscoped = (options: Options = {}): Effect.Effect<MemoryStore> =>
  Effect.map(Effect.clock, (clock) => {
    const maxEntries = options.maxEntries ?? 100_000
    const maxBytes = options.maxBytes ?? 128 * 1024 * 1024
    const nodes = new Map<string, Node>()
    const spaces: Array<Space> = []
    let head: Node | undefined
    let tail: Node | undefined
    const versions = new Map<string, TagVersions.Version>()
    let counter = 0
    let bytes = 0

    const now = () => clock.unsafeCurrentTimeMillis()

    const unlink = (node: Node): void => {
      if (node.prev === undefined) head = node.next
      else node.prev.next = node.next
      if (node.next === undefined) tail = node.prev
      else node.next.prev = node.prev
      node.prev = node.next = undefined
    }

    const append = (node: Node): void => {
      node.prev = tail
      node.next = undefined
      if (tail === undefined) head = node
      else tail.next = node
      tail = node
    }

    const remove = (key: string): boolean => {
      const node = nodes.get(key)
      if (node === undefined) return false
      nodes.delete(key)
      for (const space of spaces) if (key.startsWith(space.prefix)) space.nodes.delete(key.slice(space.prefix.length))
      unlink(node)
      bytes -= node.size
      return true
    }

    /** A found node, unless it has expired (then dropped), made the most recently used. */
    const touch = (node: Node | undefined, time: number): Node | undefined => {
      if (node === undefined) return undefined
      if (node.expiresAt <= time) {
        remove(node.key)
        return undefined
      }
      if (node !== tail) {
        unlink(node)
        append(node)
      }
      return node
    }

    const readNode = (key: string, time: number): Node | undefined => touch(nodes.get(key), time)

    const within = (prefix: string): Store.SyncSpace => {
      let space = spaces.find((candidate) => candidate.prefix === prefix)
      if (space === undefined) {
        const indexed = new Map<string, Node>()
        for (const [key, node] of nodes) if (key.startsWith(prefix)) indexed.set(key.slice(prefix.length), node)
        space = { prefix, nodes: indexed }
        spaces.push(space)
      }
      const spaceNodes = space.nodes
      return { read: (rest, time) => touch(spaceNodes.get(rest), time) }
    }

    const read = (key: string): Store.Entry | undefined => readNode(key, now())?.entry

    const write = (key: string, entry: Store.Entry): void => {
      remove(key)
      const size = Store.sizeOf(key, entry)
      if (size > maxBytes || maxEntries <= 0) return
      const node: Node = {
        key,
        entry,
        memo: undefined,
        size,
        expiresAt: Store.expiresAt(entry),
        prev: undefined,
        next: undefined
      }
      nodes.set(key, node)
      for (const space of spaces) {
        if (key.startsWith(space.prefix)) space.nodes.set(key.slice(space.prefix.length), node)
      }
      append(node)
      bytes += size
      while (head !== undefined && (nodes.size > maxEntries || bytes > maxBytes)) remove(head.key)
    }

    const versionsOf = (paths: ReadonlyArray<string>): ReadonlyArray<TagVersions.Version> => {
      const out = new Array<TagVersions.Version>(paths.length)
      for (let i = 0; i < paths.length; i++) out[i] = versions.get(paths[i]!) ?? TagVersions.initial
      return out
    }

    const validity = (tags: ReadonlyArray<string>, stamp: number): Store.Validity => {
      if (versions.size === 0) return "valid"
      let soft = false
      for (let t = 0; t < tags.length; t++) {
        const paths = Tag.prefixes(tags[t]!)
        for (let i = 0; i < paths.length; i++) {
          const version = versions.get(paths[i]!)
          if (version === undefined) continue
          if (version.hard >= stamp) return "invalidated"
          if (version.soft >= stamp) soft = true
        }
      }
      return soft ? "expired" : "valid"
    }

    const noVersions: ReadonlyArray<TagVersions.Version> = []

    /** Keys from the oldest to the most recently used. */
    function* inRecencyOrder(): Generator<Node> {
      for (let node = head; node !== undefined; node = node.next) yield node
    }

    const store = Store.make({
      name: "memory",
      local: true,
      get: (key) => Effect.sync(() => Option.fromNullable(read(key))),
      getMany: (keys) => Effect.sync(() => keys.map((key) => Option.fromNullable(read(key)))),
      getWithVersions: (key) =>
        Effect.sync(() => {
          const entry = read(key)
          if (entry === undefined) return Option.none()
          return Option.some(
            [entry, entry.tags.length === 0 ? noVersions : versionsOf(Tag.prefixesOfAll(entry.tags))] as const
          )
        }),
      sync: { read: readNode, validity, generation: () => counter, within },
      set: (key, entry) => Effect.sync(() => write(key, entry)),
      setMany: (entries) => Effect.sync(() => entries.forEach(([key, entry]) => write(key, entry))),
      delete: (key) => Effect.sync(() => remove(key)),
      deleteMany: (keys) => Effect.sync(() => keys.filter(remove).length),
      clear: (prefix) =>
        Effect.sync(() => {
          let removed = 0
          for (const key of Array.from(nodes.keys())) if (key.startsWith(prefix) && remove(key)) removed++
          return removed
        }),
      // Inspection reads entries without making them recently used.
      listEntries: ({ limit, prefix, tag }) =>
        Effect.sync(() => {
          const entries: Array<readonly [string, Store.Entry]> = []
          const time = now()
          let scanned = 0
          for (const node of inRecencyOrder()) {
            if (scanned >= limit) break
            if (!node.key.startsWith(prefix) || node.expiresAt <= time) continue
            scanned++
            if (tag === undefined || Store.carriesTag(node.entry, tag)) entries.push([node.key, node.entry])
          }
          return { scanned, entries }
        }),
      keys: ({ limit, prefix }) =>
        Effect.sync(() => {
          const out: Array<string> = []
          const time = now()
          for (const node of inRecencyOrder()) {
            if (out.length >= limit) break
            if (node.key.startsWith(prefix) && node.expiresAt > time) out.push(node.key)
          }
          return out
        })
    })

    const tagVersions: TagVersions.Service = {
      counter: Effect.sync(() => counter),
      versions: (paths) => Effect.sync(() => versionsOf(paths)),
      bump: (paths, mode) =>
        Effect.sync(() => {
          counter++
          for (const path of paths) {
            const current = versions.get(path) ?? TagVersions.initial
            versions.set(
              path,
              mode === "hard" ? { hard: counter, soft: current.soft } : { hard: current.hard, soft: counter }
            )
          }
          return counter
        })
    }

    const sweep = Effect.sync(() => {
      const time = now()
      let dropped = 0
      for (const node of Array.from(nodes.values())) {
        if (node.expiresAt <= time && remove(node.key)) dropped++
      }
      return dropped
    })

    return { store, tagVersions, size: () => nodes.size, bytes: () => bytes, sweep }
  })

/**
 * Provides `Store` and `TagVersions` from one in-process memory store.
 *
 * @example
 * ```ts
 * import { Cache, MemoryStore } from "@cachet/core"
 * import { Layer } from "effect"
 *
 * // One process, bounded: the least recently used entries go first past 10,000 entries.
 * export const CacheLive = Cache.layer({ ttl: "1 minute" }).pipe(
 *   Layer.provide(MemoryStore.layer({ maxEntries: 10_000 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Store.Store | TagVersions.TagVersions> =>
  Layer.scopedContext(Effect.map(make(options), Store.context))
