/**
 * Cachet's cache engine behind Promises: `createCache(options)` opens a store from its
 * specification (or takes an Effect `Cache` layer) and returns a handle whose methods are plain
 * async functions — `getOrSet` with tags, ttl, grace (stale-while-revalidate), single-flight and
 * fail-open stores, `get`, `set`, `delete`, `invalidate`, `expire`, `clear`, `stats`, `close` —
 * and events for observability. Every call runs through one `ManagedRuntime` the handle owns.
 *
 * @since 0.1.0
 */
import type { CacheInfo, Key as CoreKey } from "@cachet/core"
import { Cache, Tag } from "@cachet/core"
import { StoreSpec } from "@cachet/stores"
import type { Clock, Schema } from "effect"
import { Duration, Effect, Either, Exit, Fiber, Layer, ManagedRuntime, Queue } from "effect"

import * as internal from "./internal/run.js"
import { fromSerializer } from "./internal/serializer.js"

/**
 * A duration: milliseconds as a number, or a text such as `"5 minutes"`, `"30 seconds"`.
 *
 * @since 0.1.0
 * @category models
 */
export type DurationInput = Duration.DurationInput

/**
 * A cache key: a string used as is, or an array of strings (encoded canonically, so
 * `["users", "1"]` never collides with `"users:1"`).
 *
 * @since 0.1.0
 * @category models
 */
export type Key = string | ReadonlyArray<string>

/**
 * Tags: one tag or several. Tags are hierarchical paths (`"users/1"` is under `"users"`), so
 * invalidating `"users"` covers every `"users/…"` entry.
 *
 * @since 0.1.0
 * @category models
 */
export type Tags = string | ReadonlyArray<string>

/**
 * How values of a cache cross the store when they are not JSON: a text form and its way back
 * (e.g. `superjson.stringify` / `superjson.parse`, or a `Date`'s ISO string).
 *
 * @since 0.1.0
 * @category models
 */
export interface Serializer<V> {
  readonly serialize: (value: V) => string
  readonly deserialize: (text: string) => V
}

/**
 * Options of `createCache`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<V = unknown> {
  /**
   * The store, as the reference app and the CLI name it: `memory` (default), `sqlite:PATH`,
   * `redis://…`, `redis+cluster://HOST:PORT,…`, `memcached://HOST:PORT,…`.
   */
  readonly store?: string
  /** Redis (node or cluster) only: a per-process memory tier in front of Redis, kept coherent by its bus. */
  readonly tiered?: boolean
  /** How long the memory tier may hold an entry (default 5 seconds). */
  readonly localTtl?: DurationInput
  /** Prefix of every key (default `"cachet"`). */
  readonly namespace?: string
  /** Bumping it busts every entry of the namespace (default `"1"`). */
  readonly version?: string | number
  /** How long an entry is fresh (default 5 minutes). */
  readonly ttl?: DurationInput
  /** How long past its ttl an entry is still served while one refresh runs (default 0). */
  readonly grace?: DurationInput
  /** Longest wait for any store call before the call goes on without the store (default 500 ms). */
  readonly timeout?: DurationInput
  /**
   * For Effect apps: the `Cache` layer to run on instead of `store` (with `memoMap`, or the
   * handle's own `layer`, an Effect program and this handle share one cache).
   */
  readonly layer?: Layer.Layer<Cache.Cache, unknown>
  /** The memo map `layer` is built in: give the one of the Effect app's `ManagedRuntime` to share its cache. */
  readonly memoMap?: Layer.MemoMap
  /** How values are stored: a Schema (`Date`, `BigInt`, classes…); default JSON. */
  readonly schema?: Schema.Schema<V, any, never>
  /** How values are stored: a text form and its way back; default JSON. */
  readonly serialize?: Serializer<V>["serialize"]
  /** The way back of `serialize`. */
  readonly deserialize?: Serializer<V>["deserialize"]
  /** The clock the cache reads time from (tests move it; default the system clock). */
  readonly clock?: Clock.Clock
}

/**
 * A factory: computes the value on a miss. The signal aborts when the call's hard timeout passes
 * or the cache closes.
 *
 * @since 0.1.0
 * @category models
 */
export type Factory<T> = (signal: AbortSignal) => T | PromiseLike<T>

/**
 * Options of `set`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SetOptions {
  /** How long the value is fresh (default: the cache's `ttl`). */
  readonly ttl?: DurationInput
  /** How long past its ttl it is served while refreshed (default: the cache's `grace`). */
  readonly grace?: DurationInput
  /** The entry's tags: `invalidate` and `expire` act on them. */
  readonly tags?: Tags
}

/**
 * Options of `getOrSet`.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetOrSetOptions<T> extends SetOptions {
  /**
   * How long the factory may run: past it the call rejects with a `FetchTimeoutError` and the
   * factory's signal aborts. With `{ soft, hard }`, past `soft` a caller holding a value in
   * grace gets it while the factory goes on.
   */
  readonly timeout?: DurationInput | { readonly soft?: DurationInput; readonly hard?: DurationInput }
  /** This call's Schema (overrides the cache's codec). */
  readonly schema?: Schema.Schema<T, any, never>
}

/**
 * How a read was served: `key` (without the namespace), the call's `tags`, when the entry was
 * written and its age.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServedEvent {
  readonly key: string
  readonly tags: ReadonlyArray<string>
  readonly createdAt: number
  readonly ageMillis: number
}

/**
 * Something failed: a factory (`source: "factory"`; the call rejected with the error, or a value
 * in grace was served instead), or a store call (`source: "store"`; the call went on without the
 * store — what `stats().storeErrors` counts). Store failures are told for caches opened from a
 * `store` specification, not for a given `layer`.
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorEvent =
  | {
    readonly source: "factory"
    readonly key: string
    readonly tags: ReadonlyArray<string>
    readonly error: unknown
  }
  | {
    readonly source: "store"
    /** The store call that failed or timed out (`get`, `set`, `invalidate`…). */
    readonly operation: string
    readonly error: Error
  }

/**
 * Tags were invalidated (`hard`) or expired (`soft`) by this cache — through this handle or an
 * Effect program sharing it.
 *
 * @since 0.1.0
 * @category models
 */
export interface InvalidateEvent {
  readonly tags: ReadonlyArray<string>
  readonly mode: "hard" | "soft"
}

/**
 * The events of a cache and what each listener is told.
 *
 * @since 0.1.0
 * @category models
 */
export interface Events {
  /** A fresh value was served. */
  readonly hit: ServedEvent
  /** Nothing usable was cached: the factory ran (or a running one was joined). */
  readonly miss: ServedEvent
  /** A value in grace was served while one refresh runs in the background. */
  readonly stale: ServedEvent
  /** A factory or a store call failed. */
  readonly error: ErrorEvent
  /** Tags were invalidated or expired. */
  readonly invalidate: InvalidateEvent
}

/**
 * A cache handle. Every method returns a Promise; rejections are `Error`s (or, for
 * `getOrSet`, whatever its factory threw).
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseCache<V = unknown> {
  /**
   * The cached value when fresh; inside grace the stale value at once while one refresh runs;
   * otherwise runs `factory` once for all concurrent callers of the key and stores its result.
   * A store that is down never fails the call (the factory's value is returned).
   */
  readonly getOrSet: {
    <T>(
      key: Key,
      factory: Factory<T>,
      options: GetOrSetOptions<T> & { readonly schema: Schema.Schema<T, any, never> }
    ): Promise<T>
    <T extends V>(key: Key, factory: Factory<T>, options?: GetOrSetOptions<T>): Promise<T>
  }
  /** The cached value if fresh or in grace, else `undefined`. */
  readonly get: <T extends V = V>(key: Key) => Promise<T | undefined>
  /** Stores a value. */
  readonly set: <T extends V>(key: Key, value: T, options?: SetOptions) => Promise<void>
  /** Removes an entry; true when it existed. */
  readonly delete: (key: Key) => Promise<boolean>
  /** Entries under these tags (or tags below them) are never served again. */
  readonly invalidate: (tags: Tags) => Promise<void>
  /** Entries under these tags count as expired now: served within their grace while refreshed. */
  readonly expire: (tags: Tags) => Promise<void>
  /** Removes every entry of the namespace; how many. Rejects when the store cannot be reached. */
  readonly clear: () => Promise<number>
  /** Counters since the cache was opened. */
  readonly stats: () => Promise<CacheInfo.Stats>
  /** Listens to an event; returns the function that stops listening. */
  readonly on: <E extends keyof Events>(event: E, listener: (event: Events[E]) => void) => () => void
  /**
   * Releases the store's connections and the cache's timers (a process with nothing else to do
   * exits afterwards); later calls reject.
   */
  readonly close: () => Promise<void>
  /** For Effect programs: a layer of this handle's very cache. */
  readonly layer: Layer.Layer<Cache.Cache>
  /** The runtime every call runs in. */
  readonly runtime: ManagedRuntime.ManagedRuntime<Cache.Cache, unknown>
}

/**
 * The cache was closed: no call can run any more.
 *
 * @since 0.1.0
 * @category errors
 */
export const CacheClosedError: typeof internal.CacheClosedError = internal.CacheClosedError

/**
 * @since 0.1.0
 * @category errors
 */
export type CacheClosedError = internal.CacheClosedError

const checkDuration = (name: string, input: DurationInput | undefined): void => {
  if (input === undefined) return
  try {
    Duration.decode(input)
  } catch {
    throw new TypeError(`cachet: option ${name} is not a duration: ${String(input)} (e.g. 5000 or "5 minutes")`)
  }
}

const layerOf = (
  options: Options<unknown>,
  onStoreError: NonNullable<Cache.Options["onStoreError"]>
): Layer.Layer<Cache.Cache, unknown> => {
  if (options.layer !== undefined) {
    for (const name of ["store", "namespace", "version", "ttl", "grace", "timeout", "tiered", "localTtl"] as const) {
      if (options[name] !== undefined) {
        throw new TypeError(`cachet: option ${name} belongs to the given layer; set it where the layer is built`)
      }
    }
    return options.layer
  }
  const spec = StoreSpec.parse(options.store ?? "memory", { empty: { _tag: "Memory" } })
  if (Either.isLeft(spec)) throw new TypeError(`cachet: bad store ${options.store}: ${spec.left}; ${StoreSpec.syntax}`)
  const cacheOptions: Cache.Options = {
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.ttl !== undefined ? { ttl: options.ttl } : {}),
    ...(options.grace !== undefined ? { grace: options.grace } : {}),
    ...(options.timeout !== undefined ? { storeTimeout: options.timeout } : {}),
    onStoreError
  }
  const storeOptions: StoreSpec.LayerOptions = {
    ...(options.tiered !== undefined ? { tiered: options.tiered } : {}),
    ...(options.localTtl !== undefined ? { localTtl: options.localTtl } : {})
  }
  return Cache.layer(cacheOptions).pipe(Layer.provide(StoreSpec.layer(spec.right, storeOptions)))
}

const isSoftHard = (
  timeout: NonNullable<GetOrSetOptions<unknown>["timeout"]>
): timeout is { readonly soft?: DurationInput; readonly hard?: DurationInput } =>
  typeof timeout === "object" && !Array.isArray(timeout) && !Duration.isDuration(timeout) &&
  ("soft" in timeout || "hard" in timeout)

type Listeners = { [E in keyof Events]: Set<(event: Events[E]) => void> }

/**
 * Opens a cache. The store connects in the background; calls wait for it. A bad store
 * specification or option throws a `TypeError` at once.
 *
 * @example
 * ```ts
 * import { createCache } from "@cachet/promise"
 *
 * const cache = createCache({ store: "memory", ttl: "5 minutes", grace: "1 minute" })
 *
 * export const findUser = (id: string) =>
 *   cache.getOrSet(["users", id], async () => ({ id, name: "Ada" }), { tags: [`users/${id}`] })
 *
 * export const renameUser = (id: string) => cache.invalidate(`users/${id}`)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createCache = <V = unknown>(options: Options<V> = {}): PromiseCache<V> => {
  for (const name of ["ttl", "grace", "timeout", "localTtl"] as const) checkDuration(name, options[name])
  if ((options.serialize === undefined) !== (options.deserialize === undefined)) {
    throw new TypeError("cachet: serialize and deserialize go together")
  }
  if (options.schema !== undefined && options.serialize !== undefined) {
    throw new TypeError("cachet: give either a schema or serialize/deserialize, not both")
  }
  const listeners: Listeners = {
    hit: new Set(),
    miss: new Set(),
    stale: new Set(),
    error: new Set(),
    invalidate: new Set()
  }
  const emit = <E extends keyof Events>(event: E, payload: Events[E]): void => {
    for (const listener of listeners[event] as Set<(event: Events[E]) => void>) {
      try {
        listener(payload)
      } catch {
        // A listener's failure is its own: it never fails the call that told it.
      }
    }
  }
  /** How many listeners of served reads there are (a call without any builds no report). */
  let servedListeners = 0

  const generic = options as Options<unknown>
  const base = layerOf(
    generic,
    (error) => emit("error", { source: "store", operation: error.operation, error })
  )
  const layer = options.clock === undefined ? base : Layer.provide(base, Layer.setClock(options.clock))
  const runtime = ManagedRuntime.make(layer, options.memoMap)
  const schema: Schema.Schema<unknown, any, never> | undefined = generic.schema ??
    (generic.serialize !== undefined && generic.deserialize !== undefined
      ? fromSerializer(generic.serialize, generic.deserialize)
      : undefined)

  let service: Cache.Service | undefined
  let listener: Fiber.RuntimeFiber<unknown, unknown> | undefined
  let closed: Promise<void> | undefined

  const ready: Promise<Cache.Service> = runtime.runPromiseExit(Cache.Cache).then(internal.settle).then((built) => {
    if (closed === undefined) {
      service = built
      listener = runtime.runFork(Effect.scoped(Effect.flatMap(
        built.invalidations,
        (queue) => Effect.forever(Effect.map(Queue.take(queue), (invalidation) => emit("invalidate", invalidation)))
      )))
    }
    return built
  })
  // A store that cannot be opened rejects every call with its reason; never an unhandled rejection.
  ready.catch(() => undefined)

  /** Runs a call once the cache is built. */
  const withService = <A>(use: (service: Cache.Service) => Promise<A>): Promise<A> => {
    if (closed !== undefined) return Promise.reject(new internal.CacheClosedError())
    if (service !== undefined) return use(service)
    return ready.then(
      (built) => closed !== undefined ? Promise.reject(new internal.CacheClosedError()) : use(built),
      (error) => Promise.reject(internal.toError(error))
    )
  }

  const run = <A>(effect: Effect.Effect<A, unknown>): Promise<A> =>
    runtime.runPromiseExit(effect).then(internal.settle, (error) => Promise.reject(internal.toError(error)))

  const schemaOptions = schema === undefined ? undefined : { schema }

  const entryOptions = (setOptions: SetOptions | undefined): Cache.EntryOptions<unknown, unknown> | undefined => {
    if (setOptions === undefined) return schemaOptions
    return {
      ...(schema !== undefined ? { schema } : {}),
      ...(setOptions.ttl !== undefined ? { ttl: setOptions.ttl } : {}),
      ...(setOptions.grace !== undefined ? { grace: setOptions.grace } : {}),
      ...(setOptions.tags !== undefined ? { tags: setOptions.tags } : {})
    }
  }

  const fetchOptions = (callOptions: GetOrSetOptions<unknown> | undefined): internal.FetchOptions | undefined => {
    const callSchema = callOptions?.schema ?? schema
    const timeout = callOptions?.timeout
    const observe = servedListeners !== 0
    if (!observe && timeout === undefined && callSchema === callOptions?.schema) {
      // The common case: the call's own options are core's (ttl, grace, tags, schema).
      return callOptions as internal.FetchOptions | undefined
    }
    const tags = observe ? Tag.normalize(callOptions?.tags) : []
    return {
      ...(callSchema !== undefined ? { schema: callSchema } : {}),
      ...(callOptions?.ttl !== undefined ? { ttl: callOptions.ttl } : {}),
      ...(callOptions?.grace !== undefined ? { grace: callOptions.grace } : {}),
      ...(callOptions?.tags !== undefined ? { tags: callOptions.tags } : {}),
      ...(timeout !== undefined ? { timeout: isSoftHard(timeout) ? timeout : { hard: timeout } } : {}),
      ...(observe
        ? { onServed: (served: Cache.Served) => emit(served.outcome, { ...internal.servedEvent(served), tags }) }
        : {})
    }
  }

  /** A factory effect no read kept, for the next call (see `FactoryEffect`). */
  let spare: internal.FactoryEffect | undefined

  const getOrSet = <T>(key: Key, factory: Factory<T>, callOptions?: GetOrSetOptions<T>): Promise<T> => {
    const built = service
    // Before the cache is built (and after it is closed) the call waits for it (or rejects).
    if (built === undefined) return withService(() => getOrSet(key, factory, callOptions))
    const fetch = (spare ?? new internal.FactoryEffect(emit)).use(factory, key, callOptions?.tags)
    spare = undefined
    const read = internal.readNow((built.getOrFetch as unknown as internal.GetOrFetch)(
      key as CoreKey.Input,
      fetch,
      fetchOptions(callOptions as GetOrSetOptions<unknown> | undefined)
    ))
    if (!Exit.isExit(read)) return run(read) as Promise<T>
    // Answered at once (a hit): nothing kept the factory effect.
    fetch.release()
    spare = fetch
    return internal.promiseOf(read) as Promise<T>
  }

  const get = <T extends V = V>(key: Key): Promise<T | undefined> =>
    withService((built) =>
      run(
        Effect.map(
          built.get(key as CoreKey.Input, schemaOptions),
          (found) => found._tag === "Some" ? found.value as T : undefined
        )
      )
    )

  const close = (): Promise<void> => {
    if (closed !== undefined) return closed
    const fiber = listener
    listener = undefined
    service = undefined
    closed = (fiber === undefined ? Promise.resolve() : runtime.runPromise(Fiber.interrupt(fiber))).then(
      () => runtime.dispose()
    )
    return closed
  }

  return {
    getOrSet,
    get,
    set: (key, value, setOptions) =>
      withService((built) => run(built.set(key as CoreKey.Input, value as unknown, entryOptions(setOptions)))),
    delete: (key) => withService((built) => run(built.delete(key as CoreKey.Input))),
    invalidate: (tags) => withService((built) => run(built.invalidate(tags))),
    expire: (tags) => withService((built) => run(built.expire(tags))),
    clear: () => withService((built) => run(built.clear)),
    stats: () => withService((built) => run(built.stats)),
    on: (event, listener) => {
      const set = listeners[event] as Set<typeof listener>
      const served = event === "hit" || event === "miss" || event === "stale"
      if (set.has(listener)) return () => void 0
      set.add(listener)
      if (served) servedListeners++
      return () => {
        if (set.delete(listener) && served) servedListeners--
      }
    },
    close,
    layer: Layer.effect(Cache.Cache, Effect.promise(() => ready)),
    runtime
  }
}
