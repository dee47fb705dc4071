/**
 * The EntityGraph service: operations over the store, transactions for updaters, optimistic
 * mutations, retention and GC, watchers, cache policies.
 * @internal
 */
import { Clock, Duration, Effect, Exit, Queue, Schema, Stream } from "effect"
import type * as EG from "../EntityGraph.js"
import * as keys from "./keys.js"
import type { Compiler, ObjectPlan } from "./plan.js"
import { isLinkPlan, makeCompiler } from "./plan.js"
import type { Layer, Link, ReadOutput, Write } from "./store.js"
import { depKey, forEachKey, MISSING, NONE, Store, valueEqual } from "./store.js"
import * as snapshots from "./snapshot.js"
import { writeByTypename } from "./byTypename.js"
import { Store as BackingStore } from "@cachet/core"
import { Option } from "effect"

type AnySchema = Schema.Schema<unknown, unknown, never>

interface Watcher {
  readonly plan: ObjectPlan
  readonly field: string
  readonly fieldKey: string
  readonly partial: boolean
  deps: Set<string>
  result: EG.ReadResult<unknown>
  staleAt: number
  readonly offer: (result: EG.ReadResult<unknown>) => void
}

/** The mutable state of one graph, shared by its operations (never module-level). @internal */
export interface State {
  readonly store: Store
  readonly compiler: Compiler
  readonly rootPlans: Map<string, Map<unknown, ObjectPlan>>
  readonly recent: Map<string, true>
  readonly retained: Map<string, number>
  readonly watchers: Map<string, Set<Watcher>>
  readonly bufferSize: number
  /** Called with every write's changes before the graph's own watchers (the document front end's watchers). */
  readonly listeners: Set<(w: Write) => void>
  layerIds: number
}

/** @internal */
export const makeState = (options: EG.Options): State => ({
  store: new Store(
    options.defaultLifetime === undefined ? Infinity : Duration.toMillis(Duration.decode(options.defaultLifetime)),
    snapshots.decoderCache()
  ),
  compiler: makeCompiler(),
  rootPlans: new Map(),
  recent: new Map(),
  retained: new Map(),
  watchers: new Map(),
  bufferSize: Math.max(0, options.cacheBufferSize ?? 10),
  listeners: new Set(),
  layerIds: 0
})

/** @internal */
export const newWrite = (layer: Layer | undefined, now: number): Write => ({
  layer,
  now,
  changed: new Set(),
  warnings: []
})

const cloneData = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(cloneData)
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value)) out[k] = cloneData((value as Record<string, unknown>)[k])
    return out
  }
  return value
}

const sameResult = (a: EG.ReadResult<unknown>, b: EG.ReadResult<unknown>): boolean =>
  a.complete === b.complete && a.stale === b.stale && (a.data === b.data || valueEqual(a.data, b.data))

/** The synchronous operations of a graph, shared by the service and by transactions. @internal */
export const makeOps = (state: State) => {
  const { compiler, store } = state

  const touch = (fieldKey: string): void => {
    const recent = state.recent
    recent.delete(fieldKey)
    recent.set(fieldKey, true)
    while (recent.size > state.bufferSize) {
      const oldest = recent.keys().next().value as string
      recent.delete(oldest)
    }
  }

  const rootPlan = (field: string, args: EG.Args, schema: AnySchema): ObjectPlan => {
    const fieldKey = keys.fieldKey(field, args ?? undefined)
    let bySchema = state.rootPlans.get(fieldKey)
    if (bySchema === undefined) {
      bySchema = new Map()
      state.rootPlans.set(fieldKey, bySchema)
    }
    let plan = bySchema.get(schema.ast)
    if (plan === undefined) {
      plan = compiler.root(field, fieldKey, schema.ast)
      bySchema.set(schema.ast, plan)
    }
    return plan
  }

  const toResult = <A>(out: ReadOutput, field: string | undefined, partial: boolean): EG.ReadResult<A> => {
    let data: unknown = out.value === MISSING ? null : field === undefined ? out.value : (out.value as Record<string, unknown>)[field]
    if (data === undefined) data = null
    if (!out.complete && !partial) data = null
    return { data: data as A | null, complete: out.complete, stale: out.stale }
  }

  const keyOfRef = (entity: EG.EntityRef): string | null => {
    if (typeof entity === "string") return entity
    const typename = entity.__typename
    if (typename === keys.ROOT) return keys.ROOT
    const config = compiler.entities.get(typename) ?? { typename, keys: ["id"] }
    return keys.entityKey(config, entity) ?? null
  }

  const fieldKeyOf = (field: string, args: EG.Args | undefined): string =>
    args === undefined || args === null ? field : keys.fieldKey(field, args)

  const readQuery = <A>(now: number, field: string, args: EG.Args, schema: AnySchema, partial: boolean): EG.ReadResult<A> => {
    const plan = rootPlan(field, args, schema)
    touch(plan.fields[0]!.fieldKey)
    return toResult<A>(store.readRoot(plan, now), field, partial)
  }

  const writeQuery = (w: Write, field: string, args: EG.Args, schema: AnySchema, data: unknown): void => {
    const plan = rootPlan(field, args, schema)
    const fp = plan.fields[0]!
    touch(fp.fieldKey)
    store.writeField(w, store.root, fp, data)
  }

  const objectPlan = (schema: AnySchema): ObjectPlan | undefined => {
    const plan = compiler.compile(schema.ast)
    return plan._tag === "Object" ? plan : undefined
  }

  const writeFragment = (w: Write, schema: AnySchema, data: unknown): string | null => {
    const plan = objectPlan(schema)
    if (plan === undefined || plan.entity === undefined) {
      w.warnings.push("writeFragment: the Schema is not an entity (see Normalize.entity); nothing was written")
      return null
    }
    const key = keys.entityKey(plan.entity, data)
    if (key === undefined) {
      w.warnings.push(`writeFragment: the ${plan.entity.typename} has no key; nothing was written`)
      return null
    }
    store.writeObject(w, plan, data as object, key)
    return key
  }

  const readFragment = <A>(now: number, schema: AnySchema, entity: EG.EntityRef, partial: boolean): EG.ReadResult<A> => {
    const plan = objectPlan(schema)
    const key = keyOfRef(entity)
    if (plan === undefined || key === null) return { data: null, complete: false, stale: false }
    return toResult<A>(store.readKey(plan, key, now), undefined, partial)
  }

  const updateQuery = (
    w: Write,
    field: string,
    args: EG.Args,
    schema: AnySchema,
    f: (data: unknown) => unknown
  ): void => {
    const current = readQuery<unknown>(w.now, field, args, schema, false)
    const next = f(current.data === null ? null : cloneData(current.data))
    if (next !== null && next !== undefined) writeQuery(w, field, args, schema, next)
  }

  const link = (w: Write, entity: EG.EntityRef, fieldKey: string, links: Link): void => {
    const key = keyOfRef(entity)
    if (key === null) {
      w.warnings.push("link: the entity has no key; nothing was linked")
      return
    }
    if (key === keys.ROOT) touch(fieldKey)
    store.setLink(w, store.ensureNode(key, keys.typenameOf(key)), fieldKey, links)
  }

  const resolve = (entity: EG.EntityRef, fieldKey: string): unknown => {
    const key = keyOfRef(entity)
    const node = key === null ? undefined : store.nodes.get(key)
    if (node === undefined) return undefined
    const linked = store.getLink(node, fieldKey)
    if (linked !== NONE) return linked
    const record = store.getRecord(node, fieldKey)
    return record === NONE ? undefined : record
  }

  const inspectFields = (entity: EG.EntityRef): ReadonlyArray<EG.FieldInfo> => {
    const key = keyOfRef(entity)
    const node = key === null ? undefined : store.nodes.get(key)
    if (node === undefined) return []
    return store.fieldKeys(node).map((fieldKey) => ({
      fieldName: keys.fieldNameOf(fieldKey),
      arguments: keys.argsOf(fieldKey),
      fieldKey
    }))
  }

  const invalidate = (w: Write, entity: EG.EntityRef, field?: string, args?: EG.Args): void => {
    const key = keyOfRef(entity)
    const node = key === null ? undefined : store.nodes.get(key)
    if (node === undefined) return
    if (field === undefined) store.clearNode(w, node)
    else store.removeField(w, node, fieldKeyOf(field, args))
  }

  const invalidateType = (w: Write, typename: string): void => {
    for (const node of store.nodes.values()) if (node.typename === typename) store.clearNode(w, node)
  }

  const markStale = (w: Write, target: EG.EntityRef | undefined, options: EG.MarkStaleOptions | undefined): void => {
    const field = options?.field
    const exact = field !== undefined && options?.when !== undefined ? keys.fieldKey(field, options.when) : undefined
    const match = field === undefined
      ? () => true
      : exact !== undefined
      ? (fk: string) => fk === exact
      : (fk: string) => keys.fieldNameOf(fk) === field
    if (target === undefined) {
      for (const node of store.nodes.values()) store.markStale(w, node, match)
      return
    }
    if (typeof target === "string" && !target.includes(":") && !target.includes(".")) {
      for (const node of store.nodes.values()) if (node.typename === target) store.markStale(w, node, match)
      return
    }
    const key = keyOfRef(target)
    const node = key === null ? undefined : store.nodes.get(key)
    if (node !== undefined) store.markStale(w, node, match)
  }

  // ---------------------------------------------------------------------------------------------
  // watchers

  const index = state.watchers

  const setDeps = (watcher: Watcher, deps: Set<string>): void => {
    for (const dep of watcher.deps) {
      if (deps.has(dep)) continue
      const set = index.get(dep)
      if (set !== undefined) {
        set.delete(watcher)
        if (set.size === 0) index.delete(dep)
      }
    }
    for (const dep of deps) {
      if (watcher.deps.has(dep)) continue
      let set = index.get(dep)
      if (set === undefined) {
        set = new Set()
        index.set(dep, set)
      }
      set.add(watcher)
    }
    watcher.deps = deps
  }

  const depsOf = (watcher: Watcher): Set<string> => {
    const deps = new Set<string>([depKey(keys.ROOT, watcher.fieldKey)])
    const fp = watcher.plan.fields[0]!
    if (isLinkPlan(fp.plan)) {
      const linked = store.getLink(store.root, watcher.fieldKey)
      if (linked !== NONE) store.collect(fp.plan, linked, deps, new Set())
    }
    return deps
  }

  const refresh = (watcher: Watcher, now: number): void => {
    const out = store.readRoot(watcher.plan, now)
    watcher.staleAt = out.staleAt
    const result = toResult<unknown>(out, watcher.field, watcher.partial)
    if (sameResult(result, watcher.result)) return
    watcher.result = result
    setDeps(watcher, depsOf(watcher))
    watcher.offer(result)
  }

  /** Re-reads the watchers that depend on what a write changed. */
  const notify = (w: Write): void => {
    if (w.changed.size > 0) for (const listener of state.listeners) listener(w)
    if (index.size === 0 || w.changed.size === 0) return
    const affected = new Set<Watcher>()
    for (const dep of w.changed) {
      const set = index.get(dep)
      if (set !== undefined) for (const watcher of set) affected.add(watcher)
    }
    for (const watcher of affected) refresh(watcher, w.now)
  }

  const addWatcher = (
    field: string,
    args: EG.Args,
    schema: AnySchema,
    partial: boolean,
    now: number,
    offer: (result: EG.ReadResult<unknown>) => void
  ): Watcher => {
    const plan = rootPlan(field, args, schema)
    const fieldKey = plan.fields[0]!.fieldKey
    touch(fieldKey)
    const out = store.readRoot(plan, now)
    const watcher: Watcher = {
      plan,
      field,
      fieldKey,
      partial,
      deps: new Set(),
      result: toResult(out, field, partial),
      staleAt: out.staleAt,
      offer
    }
    retain(fieldKey)
    setDeps(watcher, depsOf(watcher))
    return watcher
  }

  const removeWatcher = (watcher: Watcher): void => {
    setDeps(watcher, new Set())
    release(watcher.fieldKey)
  }

  const retain = (fieldKey: string): void => {
    state.retained.set(fieldKey, (state.retained.get(fieldKey) ?? 0) + 1)
  }

  const release = (fieldKey: string): void => {
    const count = (state.retained.get(fieldKey) ?? 0) - 1
    if (count <= 0) state.retained.delete(fieldKey)
    else state.retained.set(fieldKey, count)
  }

  // ---------------------------------------------------------------------------------------------
  // garbage collection

  const gc = (w: Write): number => {
    const root = store.root
    const rootFields = new Set<string>(Object.keys(root.records))
    if (root.links !== undefined) for (const fk of Object.keys(root.links)) rootFields.add(fk)
    for (const fk of rootFields) {
      if (!state.recent.has(fk) && !state.retained.has(fk)) {
        store.removeField(w, root, fk)
        state.rootPlans.delete(fk)
      }
    }
    const reachable = new Set<string>([keys.ROOT])
    const stack: Array<string> = [keys.ROOT]
    for (const layer of store.layers) {
      for (const key of layer.entries.keys()) {
        if (!reachable.has(key)) {
          reachable.add(key)
          stack.push(key)
        }
      }
    }
    const visit = (key: string) => {
      if (!reachable.has(key)) {
        reachable.add(key)
        stack.push(key)
      }
    }
    while (stack.length > 0) {
      const node = store.nodes.get(stack.pop()!)
      if (node !== undefined) store.linksOf(node, (linked) => forEachKey(linked, visit))
    }
    let removed = 0
    for (const key of store.nodes.keys()) {
      if (!reachable.has(key)) {
        store.nodes.delete(key)
        removed++
      }
    }
    if (removed > 0) store.seq++
    return removed
  }

  return {
    touch,
    rootPlan,
    keyOfRef,
    fieldKeyOf,
    readQuery,
    writeQuery,
    writeFragment,
    readFragment,
    updateQuery,
    link,
    resolve,
    inspectFields,
    invalidate,
    invalidateType,
    markStale,
    notify,
    addWatcher,
    removeWatcher,
    refresh,
    retain,
    release,
    gc
  }
}

/** @internal */
export type Ops = ReturnType<typeof makeOps>

/** What the document front end needs of a graph: its state, its operations and its commit. @internal */
export interface Internals {
  readonly state: State
  readonly ops: Ops
  readonly commit: (w: Write) => Effect.Effect<void>
}

/** @internal */
export const InternalsId: unique symbol = Symbol.for("@cachet/normalize/EntityGraph/internals")

/** The internals of a graph built by `make`, if it is one. @internal */
export const internalsOf = (graph: EG.Service): Internals | undefined =>
  (graph as unknown as { readonly [InternalsId]?: Internals })[InternalsId]

const EG_DEFAULT_SNAPSHOT_KEY = "cachet:normalize:snapshot"

/** @internal */
export const make = (options: EG.Options, InvalidCacheCall: EG.InvalidCacheCallConstructor) =>
  Effect.gen(function*() {
    const state = makeState(options)
    const ops = makeOps(state)
    const scope = yield* Effect.scope

    const onChange = options.onChange
    const changedEntities = (w: Write): Array<string> => {
      const out: Array<string> = []
      for (const dep of w.changed) {
        if (dep.startsWith(`${keys.ROOT}\u0001`)) continue
        const node = state.store.nodes.get(dep)
        if (node !== undefined && node.typename !== undefined && node.typename !== keys.ROOT) out.push(dep)
      }
      return out
    }

    const commit = (w: Write): Effect.Effect<void> => {
      ops.notify(w)
      const hook = onChange === undefined || w.layer !== undefined ? undefined : changedEntities(w)
      const warn = w.warnings.length === 0
        ? Effect.void
        : Effect.forEach(w.warnings, (warning) => Effect.logWarning(warning), { discard: true })
      return hook === undefined || hook.length === 0 ? warn : Effect.zipRight(warn, onChange!(hook))
    }

    const writing = <A>(f: (w: Write) => A): Effect.Effect<A> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.suspend(() => {
          const w = newWrite(undefined, now)
          const a = f(w)
          return Effect.as(commit(w), a)
        }))

    const reading = <A>(f: (now: number) => A): Effect.Effect<A> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => f(now)))

    const linkArgs = (rest: ReadonlyArray<unknown>): { fieldKey: string; links: Link } =>
      rest.length >= 3
        ? { fieldKey: ops.fieldKeyOf(rest[0] as string, rest[1] as EG.Args), links: rest[2] as Link }
        : { fieldKey: rest[0] as string, links: rest[1] as Link }

    const makeTx = (w: Write, name: string): { tx: EG.Tx; close: () => void } => {
      let open = true
      const guard = <A>(operation: string, f: () => A): Effect.Effect<A, EG.InvalidCacheCall> =>
        Effect.suspend(() =>
          open
            ? Effect.sync(f)
            : Effect.fail(new InvalidCacheCall({ operation, mutation: name }))
        )
      const tx: EG.Tx = {
        writeQuery: (field, args, schema, data) =>
          guard("writeQuery", () => ops.writeQuery(w, field, args, schema as AnySchema, data)),
        readQuery: (field, args, schema, readOptions) =>
          guard("readQuery", () => ops.readQuery(w.now, field, args, schema as AnySchema, readOptions?.partial === true)),
        updateQuery: (field, args, schema, f) =>
          guard("updateQuery", () => ops.updateQuery(w, field, args, schema as AnySchema, f as (data: unknown) => unknown)),
        writeFragment: (schema, data) => guard("writeFragment", () => ops.writeFragment(w, schema as AnySchema, data)),
        readFragment: (schema, entity, readOptions) =>
          guard("readFragment", () => ops.readFragment(w.now, schema as AnySchema, entity, readOptions?.partial === true)),
        link: ((entity: EG.EntityRef, ...rest: ReadonlyArray<unknown>) =>
          guard("link", () => {
            const { fieldKey, links } = linkArgs(rest)
            ops.link(w, entity, fieldKey, links)
          })) as EG.Tx["link"],
        resolve: (entity, field, args) => guard("resolve", () => ops.resolve(entity, ops.fieldKeyOf(field, args))),
        inspectFields: (entity) => guard("inspectFields", () => ops.inspectFields(entity)),
        keyOf: (entity) => guard("keyOf", () => ops.keyOfRef(entity)),
        invalidate: (entity, field, args) => guard("invalidate", () => ops.invalidate(w, entity, field, args))
      }
      return { tx, close: () => (open = false) }
    }

    const runUpdaters = <A, Args>(
      w: Write,
      options: EG.MutateOptions<A, Args, unknown, unknown, unknown>,
      result: A
    ): Effect.Effect<void, EG.InvalidCacheCall> => {
      const { close, tx } = makeTx(w, options.name)
      const updates = options.updates === undefined
        ? []
        : typeof options.updates === "function"
        ? [options.updates]
        : options.updates
      return Effect.suspend(() => {
        if (options.schema !== undefined) {
          const plan = state.compiler.compile(options.schema.ast)
          if (isLinkPlan(plan)) state.store.writeLink(w, plan, result, `Mutation.${options.name}`)
        } else if (writeByTypename(state.store, state.compiler, w, result) === 0 && updates.length === 0) {
          w.warnings.push(
            `mutate ${options.name}: without a schema, the result's entities are found by a __typename of a known ` +
              `entity Schema; none was found and no updater ran, so nothing was written`
          )
        }
        return Effect.forEach(updates, (update) => update(result, options.args, tx), { discard: true })
      }).pipe(Effect.ensuring(Effect.sync(close)))
    }

    const mutate = <A, Args, E, R, AI>(
      options: EG.MutateOptions<A, Args, E, R, AI>
    ): Effect.Effect<A, E | EG.InvalidCacheCall, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          let layer: Layer | undefined
          if (options.optimistic !== undefined) {
            const id = ++state.layerIds
            const created: Layer = { id, name: options.name, entries: new Map() }
            layer = created
            state.store.layers.push(created)
            const now = yield* Clock.currentTimeMillis
            const w = newWrite(created, now)
            const applied = yield* Effect.exit(
              Effect.suspend(() => {
                const { close, tx } = makeTx(w, options.name)
                const built = options.optimistic!(options.args, tx)
                return (Effect.isEffect(built) ? built : Effect.succeed(built)).pipe(
                  Effect.ensuring(Effect.sync(close))
                )
              }).pipe(
                Effect.flatMap((result) =>
                  runUpdaters(w, options as EG.MutateOptions<A, Args, unknown, unknown, unknown>, result)
                )
              )
            )
            if (Exit.isFailure(applied)) state.store.dropLayer(w, created)
            yield* commit(w)
            if (Exit.isFailure(applied)) return yield* Effect.failCause(applied.cause)
          }
          const exit = yield* Effect.exit(restore(options.run))
          const now = yield* Clock.currentTimeMillis
          const w = newWrite(undefined, now)
          if (layer !== undefined) state.store.dropLayer(w, layer)
          if (Exit.isFailure(exit)) {
            yield* commit(w)
            return yield* exit
          }
          const applied = yield* Effect.exit(
            runUpdaters(w, options as EG.MutateOptions<A, Args, unknown, unknown, unknown>, exit.value)
          )
          yield* commit(w)
          if (Exit.isFailure(applied)) return yield* Effect.failCause(applied.cause)
          return exit.value
        })
      ).pipe(Effect.withSpan("EntityGraph.mutate", { attributes: { name: options.name } }))

    const watch = <A, I>(
      field: string,
      args: EG.Args,
      schema: Schema.Schema<A, I>,
      readOptions?: EG.ReadOptions
    ): Stream.Stream<EG.ReadResult<A>> =>
      Stream.unwrapScoped(
        Effect.gen(function*() {
          const queue = yield* Effect.acquireRelease(Queue.unbounded<EG.ReadResult<A>>(), Queue.shutdown)
          const now = yield* Clock.currentTimeMillis
          const watcher = yield* Effect.acquireRelease(
            Effect.sync(() =>
              ops.addWatcher(field, args, schema as AnySchema, readOptions?.partial === true, now, (result) => {
                queue.unsafeOffer(result as EG.ReadResult<A>)
              })
            ),
            (watcher) => Effect.sync(() => ops.removeWatcher(watcher))
          )
          const next: Effect.Effect<EG.ReadResult<A>> = Effect.suspend(() => {
            if (watcher.staleAt === Infinity) return Queue.take(queue)
            return Effect.flatMap(Clock.currentTimeMillis, (current) =>
              Effect.raceFirst(
                Queue.take(queue),
                Effect.sleep(Duration.millis(Math.max(0, watcher.staleAt - current))).pipe(
                  Effect.zipRight(Clock.currentTimeMillis),
                  Effect.flatMap((at) => Effect.sync(() => ops.refresh(watcher, at))),
                  Effect.zipRight(Effect.never)
                )
              ))
          })
          return Stream.concat(
            Stream.succeed(watcher.result as EG.ReadResult<A>),
            Stream.repeatEffect(next)
          )
        })
      )

    const fetchAndRead = <A, I, E, R>(options: EG.QueryOptions<A, I, E, R>): Effect.Effect<EG.ReadResult<A>, E, R> =>
      Effect.flatMap(options.fetch, (data) =>
        writing((w) => {
          ops.writeQuery(w, options.field, options.args, options.schema as AnySchema, data)
          const read = ops.readQuery<A>(w.now, options.field, options.args, options.schema as AnySchema, false)
          return read.complete ? read : { data, complete: true, stale: false }
        }))

    const inBackground = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<void, never, R> =>
      effect.pipe(
        Effect.catchAllCause((cause) => Effect.logWarning("EntityGraph: background refresh failed", cause)),
        Effect.forkIn(scope),
        Effect.asVoid
      )

    const query = (<A, I, E, R>(options: EG.QueryOptions<A, I, E, R>) => {
      const policy = options.policy ?? "CacheOrNetwork"
      const partial = options.partial === true
      const read = reading((now) =>
        ops.readQuery<A>(now, options.field, options.args, options.schema as AnySchema, partial)
      )
      switch (policy) {
        case "NoCache":
          return Effect.map(options.fetch, (data): EG.ReadResult<A> => ({ data, complete: true, stale: false }))
        case "NetworkOnly":
          return fetchAndRead(options)
        case "CacheOnly":
          return read
        case "CacheAndNetwork":
          return Stream.concat(
            Stream.fromEffect(read).pipe(Stream.filter((result) => result.data !== null)),
            Stream.fromEffect(fetchAndRead(options))
          )
        case "CacheOrNetwork":
          return Effect.flatMap(read, (cached) => {
            if (cached.complete && !cached.stale) return Effect.succeed(cached)
            if (cached.data !== null) return Effect.as(inBackground(fetchAndRead(options)), cached)
            return fetchAndRead(options)
          })
      }
    }) as EG.Service["query"]

    const snapshotKey = (snapshotOptions?: EG.SnapshotOptions) => snapshotOptions?.key ?? EG_DEFAULT_SNAPSHOT_KEY

    const snapshot = (snapshotOptions?: EG.SnapshotOptions) =>
      Effect.gen(function*() {
        const backing = yield* BackingStore.Store
        const now = yield* Clock.currentTimeMillis
        const { dropped, text } = snapshots.encode(state.store, state.compiler, state.recent.keys())
        if (dropped > 0) yield* Effect.logWarning(`EntityGraph.snapshot: ${dropped} values without a known Schema were left out`)
        yield* backing.set(snapshotKey(snapshotOptions), {
          value: text,
          stamp: 0,
          createdAt: now,
          ttl: Infinity,
          grace: 0,
          tags: [],
          failed: false
        })
      }).pipe(Effect.withSpan("EntityGraph.snapshot"))

    const restore = (snapshotOptions?: EG.SnapshotOptions) =>
      Effect.gen(function*() {
        const backing = yield* BackingStore.Store
        const entry = yield* backing.get(snapshotKey(snapshotOptions))
        if (Option.isNone(entry)) return false
        const decoded = snapshots.decode(entry.value.value)
        if (decoded === undefined) {
          yield* Effect.logWarning("EntityGraph.restore: the stored snapshot is not of a known version; ignored")
          return false
        }
        yield* writing((w) => {
          snapshots.apply(state.store, w, decoded)
          for (const fieldKey of decoded.recent) ops.touch(fieldKey)
        })
        return true
      }).pipe(Effect.withSpan("EntityGraph.restore"))

    const graph: EG.Service = {
      snapshot,
      restore,
      writeQuery: (field, args, schema, data) =>
        writing((w) => ops.writeQuery(w, field, args, schema as AnySchema, data)),
      readQuery: (field, args, schema, readOptions) =>
        reading((now) => ops.readQuery(now, field, args, schema as AnySchema, readOptions?.partial === true)),
      writeFragment: (schema, data) => writing((w) => ops.writeFragment(w, schema as AnySchema, data)),
      readFragment: (schema, entity, readOptions) =>
        reading((now) => ops.readFragment(now, schema as AnySchema, entity, readOptions?.partial === true)),
      updateQuery: (field, args, schema, f) =>
        writing((w) => ops.updateQuery(w, field, args, schema as AnySchema, f as (data: unknown) => unknown)),
      link: ((entity: EG.EntityRef, ...rest: ReadonlyArray<unknown>) =>
        writing((w) => {
          const { fieldKey, links } = linkArgs(rest)
          ops.link(w, entity, fieldKey, links)
        })) as EG.Service["link"],
      resolve: (entity, field, args) => Effect.sync(() => ops.resolve(entity, ops.fieldKeyOf(field, args))),
      inspectFields: (entity) => Effect.sync(() => ops.inspectFields(entity)),
      keyOf: (entity) => Effect.sync(() => ops.keyOfRef(entity)),
      invalidate: (entity, field, args) => writing((w) => ops.invalidate(w, entity, field, args)),
      invalidateType: (typename) => writing((w) => ops.invalidateType(w, typename)),
      markStale: (target, markOptions) => writing((w) => ops.markStale(w, target, markOptions)),
      mutate,
      gc: () => writing((w) => ops.gc(w)),
      retain: (field, args) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            const fieldKey = ops.fieldKeyOf(field, args)
            ops.retain(fieldKey)
            return fieldKey
          }),
          (fieldKey) => Effect.sync(() => ops.release(fieldKey))
        ).pipe(Effect.asVoid),
      watch,
      query
    }
    const internals: Internals = { state, ops, commit }
    return Object.assign(graph, { [InternalsId]: internals })
  })
