/**
 * One operation under the fragment cache: the executor every wrapped resolver calls. Cached
 * fields met in one tick are read with one `getMany`; a hit replays the stored subtree (no
 * resolver below it runs); a miss runs the resolver and records the objects, types and lists
 * its subtree meets, and after the operation every clean miss is written with one `setMany`.
 * Effects returned by resolvers run in the caller's runtime, batched per tick.
 * @internal
 */
import { type Cache, Codec, Key } from "@cachet/core"
import { Clock, Duration, Effect, Exit, Fiber, Option, Runtime } from "effect"
import type {
  FieldNode,
  GraphQLError,
  GraphQLField,
  GraphQLFieldResolver,
  GraphQLResolveInfo,
  GraphQLSchema
} from "graphql"
import { getNamedType, getNullableType, isAbstractType, isListType, isObjectType } from "graphql"
import type { Path } from "graphql/jsutils/Path.js"

import * as FragmentKey from "../FragmentKey.js"
import type { FragmentOptions, ResolvedOptions } from "../GraphQLCache.js"
import { Coverage } from "./coverage.js"
import { selectionDigestOf } from "./digest.js"
import { type Flight, flightsOf, joinable, makeFlight } from "./flight.js"
import { at, dig, keysOf, relative } from "./paths.js"
import { childPath, Raw, replay, type Stored } from "./raw.js"
import { type Recording, render } from "./recording.js"
import { ExecutorTypeId, type FieldMeta } from "./schema.js"
import { isPromiseLike, later, settleWith, toError } from "./settle.js"
import { entityTag, fieldTag, idOf, ownFieldsTag, rootFieldTag } from "./tags.js"

interface Read {
  /** The encoded key. */
  readonly keyText: string
  readonly hit: (stored: Stored) => void
  readonly miss: () => void
}

/** A hit whose stored JSON goes into the response after execution, at `path`. */
interface Splice {
  readonly path: Path
  readonly value: unknown
}

interface Job {
  readonly effect: Effect.Effect<unknown, unknown>
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

type Info = GraphQLResolveInfo

/** Options of one run. @internal */
export interface RunOptions {
  readonly cache: Cache.Service
  readonly config: ResolvedOptions
  readonly runtime: Runtime.Runtime<never>
  readonly schemaDigest: string
  readonly renew: boolean
  /** The operation is a mutation: collect the entities its root fields return. */
  readonly mutation: boolean
}

/** The executor of one operation (its root value). @internal */
export class Execution {
  readonly [ExecutorTypeId] = ExecutorTypeId
  hits = 0
  misses = 0
  writes = 0
  /** Root fields not served from the cache (the response is fully cached when none). */
  uncachedRoots = 0
  /** What the response is made of (for a whole-response cache). */
  readonly coverage = new Coverage()
  private reads: Array<Read> = []
  private jobs: Array<Job> = []
  private scheduled = false
  private stamp: number | undefined = undefined
  private readonly recordings = new Map<Path, Recording>()
  private readonly finished: Array<Recording> = []
  private readonly held = new Map<string, Flight>()
  private readonly abstractPaths = new Set<Path>()
  private readonly pathArgs = new Map<Path, Record<string, unknown>>()
  /** Encoded selection digests, by field nodes. */
  private readonly selections = new Map<ReadonlyArray<FieldNode>, string>()
  private readonly memo = new Map<string, unknown>()
  private readonly fibers = new Set<Fiber.RuntimeFiber<void>>()
  private readonly splices: Array<Splice> = []
  /** Entries read ahead of execution (the fully-cached fast path), used by the first reads. */
  readonly prefetched = new Map<string, Option.Option<Stored>>()
  private readonly flights: Map<string, Flight>
  private variables: string | undefined = undefined
  /** Of a mutation: the entity tags of the objects its root fields returned. */
  readonly changed: Set<string> | undefined

  constructor(readonly options: RunOptions) {
    this.flights = flightsOf(options.cache)
    this.changed = options.mutation ? new Set() : undefined
  }

  /** The operation's variables as stable text (part of the digest memo's key). */
  private variablesText = (variableValues: Readonly<Record<string, unknown>>): string =>
    this.variables ??= FragmentKey.stable(variableValues)

  readonly resolve = (
    meta: FieldMeta,
    resolve: GraphQLFieldResolver<unknown, unknown>,
    source: unknown,
    args: Record<string, unknown>,
    context: unknown,
    info: Info
  ): unknown => {
    if (this.changed !== undefined) this.noteChanged(source, info)
    if (
      meta.spec === undefined && this.recordings.size === 0 && !meta.hasArgs && info.path.prev !== undefined &&
      !(source instanceof Raw)
    ) {
      // The common case: an uncached field outside any fragment being rendered.
      const value = resolve(source, args, context, info)
      return typeof value === "object" && value !== null && Effect.EffectTypeId in value ? this.run(value) : value
    }
    const root = info.path.prev === undefined
    if (source instanceof Raw) {
      if (this.recordings.size > 0) this.observeRaw(meta, info)
      return replay(
        source.data[info.path.key],
        source.stored,
        childPath(source.stored, source.rel, info.path.key),
        meta.leaf
      )
    }
    // The root's source is the user's root value, if any (never part of a key).
    const parent = source === this ? undefined : source
    if (this.recordings.size > 0 && !root) this.observe(meta, parent, info)
    if (meta.hasArgs && meta.leaf === "composite") this.pathArgs.set(info.path, args)
    const spec = meta.spec
    if (spec === undefined || !this.options.config.enabled) {
      if (root) this.plainRoot()
      return this.run(resolve(parent, args, context, info))
    }
    this.coverage.note(spec)
    if (
      (spec.when !== undefined && !spec.when(parent, args, context)) ||
      (spec.unless !== undefined && spec.unless(parent, args, context))
    ) {
      if (root) this.plainRoot()
      return this.run(resolve(parent, args, context, info))
    }
    return this.cached(meta, spec, resolve, parent, args, context, info)
  }

  /**
   * Of a mutation: names the object whose field resolves, as changed if a root field returned it
   * (alone or in lists), as shown otherwise (its lists of changed types are invalidated too).
   */
  private noteChanged(source: unknown, info: Info): void {
    let object = info.path.prev
    if (object === undefined) return
    const id = idOf(source)
    if (id === undefined) return
    this.mutationSchema ??= info.schema
    while (object !== undefined && typeof object.key === "number") object = object.prev
    const type = info.parentType.name
    if (object !== undefined && object.prev === undefined) {
      this.changed!.add(entityTag(type, id))
      this.changedTypes.add(type)
    } else this.shown.set(`${type}\u0000${id}`, { type, id })
  }

  private mutationSchema: GraphQLSchema | undefined = undefined
  private readonly changedTypes = new Set<string>()
  private readonly shown = new Map<string, { readonly type: string; readonly id: string }>()

  /**
   * Of a mutation: the tags of the lists that may hold the objects its root fields returned:
   * the query type's lists of their types (`Query/posts`) and, of every other object the result
   * shows, its lists of their types (`Post/1/comments` when `addComment` returns the comment with
   * its post).
   */
  listTags(): ReadonlyArray<string> {
    const changed = this.changed
    const schema = this.mutationSchema
    if (changed === undefined || changed.size === 0 || schema === undefined) return []
    const out = new Set<string>()
    const changedTypes = this.changedTypes
    const holds = (field: GraphQLField<unknown, unknown>): boolean => {
      if (!isListType(getNullableType(field.type))) return false
      const named = getNamedType(field.type)
      if (changedTypes.has(named.name)) return true
      if (!isAbstractType(named)) return false
      for (const type of changedTypes) {
        const object = schema.getType(type)
        if (object !== undefined && object !== null && isObjectType(object) && schema.isSubType(named, object)) {
          return true
        }
      }
      return false
    }
    const query = schema.getQueryType()
    if (query !== undefined && query !== null) {
      for (const field of Object.values(query.getFields())) {
        if (holds(field)) out.add(rootFieldTag(query.name, field.name))
      }
    }
    for (const { id, type } of this.shown.values()) {
      const object = schema.getType(type)
      if (object === undefined || object === null || !isObjectType(object)) continue
      for (const field of Object.values(object.getFields())) if (holds(field)) out.add(fieldTag(type, id, field.name))
    }
    return Array.from(out)
  }

  /** A root field resolved outside the fragment cache. */
  private plainRoot(): void {
    this.uncachedRoots++
    this.coverage.plainRoot = true
  }

  /**
   * Key of a cached field met at `info`, already encoded: the text `Key.encode` makes of
   * `FragmentKey.make(...)`'s parts, with the parts every field shares encoded once.
   */
  keyOf(
    meta: FieldMeta,
    spec: FragmentOptions,
    parent: unknown,
    args: Record<string, unknown>,
    context: unknown,
    info: Pick<Info, "path" | "parentType" | "fieldNodes" | "fragments" | "variableValues" | "schema" | "returnType">
  ): string {
    let identity: string
    const custom = spec.objectKey?.(parent, args, context)
    if (custom !== undefined) identity = `key:${FragmentKey.stable(custom)}`
    else {
      const object = FragmentKey.objectIdentity(info.parentType.name, parent)
      if (object !== undefined) identity = object
      else {
        const segments: Array<FragmentKey.Segment> = []
        for (let p = info.path.prev; p !== undefined; p = p.prev) {
          if (typeof p.key === "number") segments.push(p.key)
          else {
            const pathArgs = this.pathArgs.get(p)
            segments.push(pathArgs === undefined ? p.key : { key: p.key, args: pathArgs })
          }
        }
        identity = `path:${info.parentType.name}:${FragmentKey.pathIdentity(segments.reverse())}`
      }
    }
    let selection = this.selections.get(info.fieldNodes)
    if (selection === undefined) {
      selection = Key.canonical(selectionDigestOf(info, this.variablesText))
      this.selections.set(info.fieldNodes, selection)
    }
    const contextKey = spec.contextKey
    const contextPart: Key.Part = contextKey === undefined
      ? null
      : typeof contextKey === "function"
      ? contextKey(context)
      : contextKey.map((path) => FragmentKey.stable(dig(context, path)))
    const session = this.options.config.session
    const fieldIdentity = `${identity}.${meta.name}${
      FragmentKey.argumentsPart(args, spec.includeArguments, spec.excludeArguments)
    }`
    const contextText = Key.canonical(
      session === undefined || contextKey === undefined ? contextPart : [session(context), contextPart]
    )
    return `${this.keyHead},${Key.canonical(fieldIdentity)},${selection},${contextText}]`
  }

  /** `Key.encode` of the parts every key of this operation starts with, without the closing bracket. */
  private get keyHead(): string {
    return this.head ??= Key.encode([
      this.options.config.namespace,
      this.options.config.version,
      this.options.schemaDigest
    ]).slice(0, -1)
  }
  private head: string | undefined = undefined

  private cached(
    meta: FieldMeta,
    spec: FragmentOptions,
    resolve: GraphQLFieldResolver<unknown, unknown>,
    parent: unknown,
    args: Record<string, unknown>,
    context: unknown,
    info: Info
  ): unknown {
    const root = info.path.prev === undefined
    const keyText = this.keyOf(meta, spec, root ? undefined : parent, args, context, info)
    if (spec.keepInContext === true) {
      if (this.memo.has(keyText)) {
        this.hits++
        return this.memo.get(keyText)
      }
      this.misses++
      if (root) this.uncachedRoots++
      const value = this.run(resolve(parent, args, context, info))
      this.memo.set(keyText, value)
      return value
    }
    const recordAndRun = (): unknown => {
      this.misses++
      if (root) this.uncachedRoots++
      const recording: Recording = {
        keyText,
        path: info.path,
        spec,
        parent,
        args,
        tags: new Set(),
        types: {},
        resolved: undefined,
        flight: undefined
      }
      const parentId = root ? undefined : idOf(parent)
      if (parentId !== undefined) recording.tags.add(fieldTag(info.parentType.name, parentId, meta.name))
      else if (root) recording.tags.add(rootFieldTag(info.parentType.name, meta.name))
      if (meta.abstract) this.abstractPaths.add(info.path)
      // A flight started before an invalidation this operation saw is replaced: later readers
      // join this one.
      const stamp = this.stamp ?? -1
      const other = this.flights.get(keyText)
      if (!this.held.has(keyText) && (other === undefined || stamp > other.stamp)) {
        recording.flight = makeFlight(stamp)
        this.flights.set(keyText, recording.flight)
        this.held.set(keyText, recording.flight)
      }
      this.recordings.set(info.path, recording)
      this.finished.push(recording)
      const value = this.run(resolve(parent, args, context, info))
      if (isPromiseLike(value)) {
        return Promise.resolve(value).then((resolved) => {
          recording.resolved = resolved
          return resolved
        })
      }
      recording.resolved = value
      return value
    }
    const hit = (stored: Stored): unknown => {
      this.hits++
      this.coverage.add(stored)
      for (let p = info.path.prev; p !== undefined; p = p.prev) {
        const enclosing = this.recordings.get(p)
        if (enclosing !== undefined) { for (const tag of stored.g) enclosing.tags.add(tag) }
      }
      if (meta.splice !== undefined && stored.v !== null && stored.v !== undefined) {
        // The executor completes a placeholder at once; the stored JSON replaces it afterwards.
        if (stored.t !== undefined && this.recordings.size > 0) this.noteTypes(stored.t, info.path)
        this.splices.push({ path: info.path, value: stored.v })
        return meta.splice === "list" ? [] : null
      }
      if (this.recordings.size > 0 && meta.abstract) this.abstractPaths.add(info.path)
      return replay(stored.v, stored, "", meta.leaf)
    }
    if (this.options.renew) return recordAndRun()
    const ahead = this.prefetched.get(keyText)
    if (ahead !== undefined && Option.isSome(ahead)) {
      this.prefetched.delete(keyText)
      return hit(ahead.value)
    }
    // A fresh hit the cache can tell synchronously (an in-process store or tier) needs no batch.
    const peeked = this.options.cache.peekFresh(keyText, Codec.json)
    if (peeked !== undefined) return hit(peeked.value as Stored)
    return new Promise<unknown>((resolvePromise, reject) => {
      this.reads.push({
        keyText,
        hit: (stored) => resolvePromise(hit(stored)),
        miss: () => {
          const flight = this.held.size === 0 ? this.flights.get(keyText) : undefined
          if (flight === undefined || !joinable(flight, this.stamp ?? -1)) {
            return settleWith(recordAndRun, resolvePromise, reject)
          }
          flight.promise.then(
            (stored) => {
              if (stored === undefined) return settleWith(recordAndRun, resolvePromise, reject)
              this.coverage.borrowed = true
              resolvePromise(hit(stored))
            },
            reject
          )
        }
      })
      this.schedule()
    })
  }

  /** Gives the misses enclosing a spliced hit the concrete types stored with it. */
  private noteTypes(types: Readonly<Record<string, string>>, path: Path): void {
    for (let p = path.prev; p !== undefined; p = p.prev) {
      const recording = this.recordings.get(p)
      if (recording === undefined) continue
      const prefix = relative(path, recording.path)
      for (const [rel, type] of Object.entries(types)) recording.types[rel === "" ? prefix : `${prefix}.${rel}`] = type
    }
  }

  /** Puts the spliced hits' stored JSON in the response, where the executor completed their placeholders. */
  private splice(data: unknown): void {
    for (const { path, value } of this.splices) {
      const container = at(data, keysOf(path.prev))
      if (container === null || typeof container !== "object") continue
      const slot = container as Record<string | number, unknown>
      const placeholder = slot[path.key]
      if (placeholder === null || (Array.isArray(placeholder) && placeholder.length === 0)) slot[path.key] = value
    }
  }

  /** Records, for the misses enclosing this object, its type, entity and list fields. */
  private observe(meta: FieldMeta, parent: unknown, info: Info): void {
    const object = info.path.prev!
    let abstract: boolean | undefined
    const id = idOf(parent)
    for (let p: Path | undefined = object; p !== undefined; p = p.prev) {
      const recording = this.recordings.get(p)
      if (recording === undefined) continue
      if (id !== undefined) {
        recording.tags.add(ownFieldsTag(info.parentType.name, id))
        if (meta.list) recording.tags.add(fieldTag(info.parentType.name, id, meta.name))
      }
      abstract ??= this.isAbstractPosition(object)
      if (abstract) recording.types[relative(object, recording.path)] = info.parentType.name
    }
    if (meta.abstract) this.abstractPaths.add(info.path)
  }

  private observeRaw(meta: FieldMeta, info: Info): void {
    if (meta.abstract) this.abstractPaths.add(info.path)
    const object = info.path.prev
    if (object === undefined || !this.isAbstractPosition(object)) return
    for (let p: Path | undefined = object; p !== undefined; p = p.prev) {
      const recording = this.recordings.get(p)
      if (recording !== undefined) recording.types[relative(object, recording.path)] = info.parentType.name
    }
  }

  private isAbstractPosition(object: Path): boolean {
    let p: Path | undefined = object
    while (p !== undefined && typeof p.key === "number") p = p.prev
    return p !== undefined && this.abstractPaths.has(p)
  }

  /** A resolver's value as the executor wants it: Effects become promises, run per tick. */
  run(value: unknown): unknown {
    if (!Effect.isEffect(value)) return value
    return new Promise((resolve, reject) => {
      this.jobs.push({ effect: value as Effect.Effect<unknown, unknown>, resolve, reject })
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    later(() => this.flush())
  }

  private flush(): void {
    this.scheduled = false
    const reads = this.reads
    this.reads = []
    const self = this
    const program = Effect.gen(function*() {
      if (reads.length > 0) yield* self.serve(reads)
      const jobs = self.jobs
      self.jobs = []
      if (jobs.length === 0) return
      yield* Effect.forEach(jobs, (job) =>
        Effect.map(Effect.exit(job.effect), (exit) => {
          if (Exit.isSuccess(exit)) job.resolve(exit.value)
          else job.reject(toError(exit.cause))
        }), { concurrency: "unbounded", batching: true, discard: true })
    })
    const fiber = Runtime.runFork(this.options.runtime)(program)
    this.fibers.add(fiber)
    fiber.addObserver(() => this.fibers.delete(fiber))
  }

  private serve(reads: ReadonlyArray<Read>) {
    const self = this
    return Effect.gen(function*() {
      const found = new Map<string, Option.Option<Stored>>()
      const wantedText: Array<string> = []
      for (const read of reads) {
        if (found.has(read.keyText) || wantedText.includes(read.keyText)) continue
        const ahead = self.prefetched.get(read.keyText)
        if (ahead !== undefined) {
          found.set(read.keyText, ahead)
          self.prefetched.delete(read.keyText)
        } else {
          wantedText.push(read.keyText)
        }
      }
      if (wantedText.length > 0) {
        const values = yield* self.options.cache.getMany<Stored>(wantedText)
        values.forEach((value, i) => found.set(wantedText[i]!, value))
      }
      const misses = reads.filter((read) => Option.isNone(found.get(read.keyText) ?? Option.none()))
      if (misses.length > 0 && self.stamp === undefined) self.stamp = yield* self.options.cache.stamp
      for (const read of reads) {
        const value = found.get(read.keyText) ?? Option.none()
        if (Option.isSome(value)) read.hit(value.value)
        else read.miss()
      }
    })
  }

  /** Reads the stamp now (a renewing run writes without reading first). */
  readonly readStamp: Effect.Effect<void> = Effect.suspend(() =>
    Effect.map(this.options.cache.stamp, (stamp) => {
      this.stamp = stamp
    })
  )

  /**
   * Reads the root fields of a fully cacheable operation ahead; the data when all hit. Fresh hits
   * the cache can tell synchronously are taken first: when some are and others are not, the
   * operation is executed at once with them in hand (only the others are read, once).
   */
  prefetch(keys: ReadonlyArray<string>): Effect.Effect<Option.Option<ReadonlyArray<Stored>>> {
    const peeked: Array<Stored> = []
    for (const key of keys) {
      const found = this.options.cache.peekFresh(key, Codec.json)
      if (found === undefined) break
      peeked.push(found.value as Stored)
    }
    if (peeked.length === keys.length) return Effect.succeed(Option.some(this.served(peeked)))
    if (peeked.length > 0) {
      peeked.forEach((stored, i) => this.prefetched.set(keys[i]!, Option.some(stored)))
      return Effect.succeed(Option.none())
    }
    return Effect.map(this.options.cache.getMany<Stored>(keys), (values) => {
      keys.forEach((key, i) => this.prefetched.set(key, values[i]!))
      if (!values.every(Option.isSome)) return Option.none()
      this.prefetched.clear()
      return Option.some(this.served(values.map((value) => value.value)))
    })
  }

  /** Counts root fields served from the cache. */
  private served(stored: ReadonlyArray<Stored>): ReadonlyArray<Stored> {
    this.hits += stored.length
    for (const value of stored) this.coverage.add(value)
    return stored
  }

  /**
   * Splices the hits into the response, writes every clean miss with one `setMany`, then lets
   * waiting requests go. (Combinators, not a generator: a generator's closure keeps the
   * response alive long enough to be promoted, which costs more than the execution saves.)
   */
  finish(data: unknown, errors: ReadonlyArray<GraphQLError>): Effect.Effect<void> {
    const finished = Effect.suspend(() => {
      this.splice(data)
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const { entries, rendered } = render(
          this.finished,
          data,
          errors,
          this.options.config,
          now,
          this.options.cache.defaults === undefined ? undefined : Duration.toMillis(this.options.cache.defaults.ttl)
        )
        const written = entries.size > 0 && this.stamp !== undefined
          ? this.write(Array.from(entries.values()), this.stamp)
          : Effect.void
        return Effect.map(written, () => {
          for (const recording of this.finished) {
            const stored = rendered.get(recording)
            if (stored === undefined) this.coverage.unrendered = true
            else this.coverage.add(stored)
          }
          this.release((recording) => rendered.get(recording))
        })
      })
    })
    // Only held flights need releasing when interrupted (and a finalizer keeps the response
    // referenced for longer).
    return this.held.size === 0
      ? finished
      : Effect.onInterrupt(finished, () => Effect.sync(() => this.release(() => undefined)))
  }

  private write(entries: ReadonlyArray<Cache.ManyEntry<Stored>>, stamp: number): Effect.Effect<void> {
    this.writes += entries.length
    return this.options.cache.setMany(entries, { stamp })
  }

  /** Settles the flights this operation held (waiters recompute when given nothing). */
  release(storedOf: (recording: Recording) => Stored | undefined): void {
    for (const recording of this.finished) {
      const flight = recording.flight
      if (flight === undefined) continue
      recording.flight = undefined
      if (this.flights.get(recording.keyText) === flight) this.flights.delete(recording.keyText)
      flight.settle(storedOf(recording))
    }
    this.held.clear()
  }

  /** Interrupts what the operation still runs (when the caller is interrupted). */
  readonly interrupt: Effect.Effect<void> = Effect.suspend(() => {
    this.release(() => undefined)
    return Fiber.interruptAll(Array.from(this.fibers))
  }) as Effect.Effect<void>
}
