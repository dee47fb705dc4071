/**
 * The `Documents` service: effects over the synchronous core, the urql-shaped cache handed to
 * updaters and optimistic functions (closed once they return), mutations with optimistic
 * layers, and watchers of documents re-read when data they read changes.
 * @internal
 */
import { Effect, Exit, Option, Stream } from "effect"

import type * as D from "../../Documents.js"
import type { ReadResult } from "../../EntityGraph.js"
import { InvalidCacheCall } from "../errors.js"
import { GraphInternals, newWrite } from "../graph.js"
import * as keys from "../keys.js"
import type { ObjectPlan } from "../plan.js"
import type { Layer, Link, Write } from "../store.js"
import { depKey, MISSING, NONE } from "../store.js"
import type { Compiled, Variables } from "./compile.js"
import { makeCore } from "./core.js"

/** An optimistic result whose fields may be functions (urql's lazy optimistic fields), with the functions called. */
const lazyFields = (value: unknown, cache: D.Cache, info: D.ResolveInfo): D.DataField => {
  if (typeof value === "function") return lazyFields((value as D.OptimisticResolver)({}, cache, info), cache, info)
  if (Array.isArray(value)) return value.map((item) => lazyFields(item, cache, info))
  if (typeof value !== "object" || value === null) return value as D.DataField
  const out: D.DataObject = {}
  for (const [name, field] of Object.entries(value)) out[name] = lazyFields(field, cache, info)
  return out
}

interface Watcher {
  readonly plan: ObjectPlan
  readonly partial: boolean
  deps: Set<string>
  result: ReadResult<unknown>
  readonly onChange: (result: ReadResult<unknown>) => void
}

const sameResult = (a: ReadResult<unknown>, b: ReadResult<unknown>): boolean =>
  a.data === b.data && a.complete === b.complete && a.stale === b.stale

/** @internal */
export const make = (config: D.Options) =>
  Effect.gen(function*() {
    const found = yield* Effect.serviceOption(GraphInternals)
    if (Option.isNone(found)) {
      return yield* Effect.dieMessage(
        "Documents: the EntityGraph in context was not provided by an EntityGraph layer " +
          "(EntityGraph.layer, NormalizedQuery.layer), so its internals are missing"
      )
    }
    const internals = found.value
    const clock = yield* Effect.clock
    const { commit, graph, ops, state } = internals
    const core = makeCore(internals, config)
    const store = core.store
    const partial = config.schema !== undefined

    const finish = (w: Write): Effect.Effect<void> => {
      core.remerge(w)
      return commit(w)
    }

    const writing = <A>(f: (w: Write) => A): Effect.Effect<A> =>
      Effect.suspend(() => {
        const w = newWrite(undefined, clock.unsafeCurrentTimeMillis())
        const a = f(w)
        return Effect.as(finish(w), a)
      })

    const makeCache = (
      w: Write,
      name: string,
      readOnly = false
    ): { readonly cache: D.Cache; readonly close: () => void } => {
      let open = true
      const reads = new Set(["keyOfEntity", "keyOfField", "resolve", "inspectFields"])
      const guard = (operation: string): void => {
        if (!open || (readOnly && !reads.has(operation))) throw new InvalidCacheCall({ operation, mutation: name })
      }
      const cache: D.Cache = {
        keyOfEntity: (entity) => (guard("keyOfEntity"), core.keyOfEntity(entity)),
        keyOfField: (fieldName, args) => (guard("keyOfField"), core.keyOfField(fieldName, args)),
        resolve: (entity, fieldName, args) => (guard("resolve"), core.resolve(entity, fieldName, args)),
        inspectFields: (entity) => (guard("inspectFields"), core.inspectFields(entity)),
        invalidate: (entity, fieldName, args) => (guard("invalidate"), core.invalidate(w, entity, fieldName, args)),
        readQuery: (input) => {
          guard("readQuery")
          return core.readOperation(core.compile(input.query), input.variables as Variables | undefined, w.now, false)
            .data as never
        },
        updateQuery: (input, updater) => {
          guard("updateQuery")
          core.updateQuery(
            w,
            core.compile(input.query),
            input.variables as Variables | undefined,
            updater as (data: unknown) => unknown
          )
        },
        writeQuery: (input) => {
          guard("writeQuery")
          core.writeOperation(w, core.compile(input.query), input.variables as Variables | undefined, input.data)
        },
        readFragment: (fragment, entity, variables, fragmentName) => {
          guard("readFragment")
          return core.readFragment(
            core.compile(fragment, fragmentName),
            entity,
            variables as Variables | undefined,
            w.now
          )
        },
        writeFragment: (fragment, data, variables, fragmentName) => {
          guard("writeFragment")
          core.writeFragment(w, core.compile(fragment, fragmentName), data, variables as Variables | undefined)
        },
        link: ((entity: D.Entity, fieldName: string, ...rest: ReadonlyArray<unknown>) => {
          guard("link")
          if (rest.length >= 2) core.link(w, entity, fieldName, rest[0] as Variables | null, rest[1] as D.LinkInput)
          else core.link(w, entity, fieldName, undefined, rest[0] as D.LinkInput)
        }) as D.Cache["link"],
        list: (nameOrField, options) => {
          guard("list")
          const op = (mode: "append" | "prepend" | "remove" | "toggle") => (entity: D.Entity) => {
            guard(`list.${mode}`)
            core.listOp(w, nameOrField, options, mode, entity)
          }
          return { append: op("append"), prepend: op("prepend"), remove: op("remove"), toggle: op("toggle") }
        },
        markStale: (typename, options) => {
          guard("markStale")
          ops.markStale(w, typename, options)
        }
      }
      return { cache, close: () => (open = false) }
    }

    core.setResolverCache(makeCache(newWrite(undefined, 0), "a local resolver", true).cache)

    /** Runs `f` with a cache over `w`; an `InvalidCacheCall` it throws becomes a typed failure. */
    const withCache = <A>(w: Write, name: string, f: (cache: D.Cache) => A): Exit.Exit<A, InvalidCacheCall> => {
      const { cache, close } = makeCache(w, name)
      try {
        return Exit.succeed(f(cache))
      } catch (error) {
        if (error instanceof InvalidCacheCall) return Exit.fail(error)
        throw error
      } finally {
        close()
      }
    }

    /** Writes a mutation's or subscription's result and runs its updaters (urql 7's rule where none runs). */
    const applyResult = (
      w: Write,
      compiled: Compiled,
      variables: Variables | undefined,
      data: unknown,
      optimistic: boolean,
      onLinks?: (links: ReadonlyMap<string, Link>) => void
    ): Exit.Exit<void, InvalidCacheCall> => {
      if (compiled.typename === keys.ROOT) {
        core.writeOperation(w, compiled, variables, data)
        return Exit.void
      }
      const plan = compiled.instance(variables).write as ObjectPlan
      const record = (typeof data === "object" && data !== null ? data : {}) as D.DataObject
      const updates = compiled.typename === "Mutation" ? config.updates?.Mutation : config.updates?.Subscription
      const unknownTypes = new Set<string>()
      if (!optimistic && compiled.typename === "Mutation") {
        for (const fp of plan.fields) {
          if (updates?.[keys.fieldNameOf(fp.fieldKey)] === undefined) {
            for (const typename of core.unknownTypes(record[fp.name])) unknownTypes.add(typename)
          }
        }
      }
      const links = core.writeOperation(w, compiled, variables, record)
      if (links !== undefined) onLinks?.(links)
      for (const fp of plan.fields) {
        const fieldName = keys.fieldNameOf(fp.fieldKey)
        const updater = updates?.[fieldName]
        if (updater === undefined || !(fp.name in record)) continue
        const info: D.ResolveInfo = {
          parentTypeName: compiled.typename,
          parentKey: compiled.typename,
          parentFieldKey: fp.fieldKey,
          fieldName,
          variables: (variables ?? {}) as Variables,
          optimistic
        }
        const exit = withCache(w, fieldName, (cache) => updater(record, keys.argsOf(fp.fieldKey) ?? {}, cache, info))
        if (Exit.isFailure(exit)) return exit
      }
      for (const typename of unknownTypes) core.invalidateListsOf(w, typename)
      return Exit.void
    }

    // ---------------------------------------------------------------------------------------------
    // watchers

    const index = new Map<string, Set<Watcher>>()

    const depsOf = (watcher: Watcher): Set<string> => depsOfPlan(watcher.plan)

    /** The dependency keys a read of a root plan reaches (root fields, then the entity fields below). */
    const depsOfPlan = (plan: ObjectPlan): Set<string> => {
      const deps = new Set<string>()
      for (const fp of plan.fields) {
        deps.add(depKey(keys.ROOT, fp.fieldKey))
        if (fp.plan._tag === "Leaf") continue
        const linked = fp.resolver !== undefined
          ? fp.resolver(keys.ROOT) as Link | undefined ?? NONE
          : store.getLink(store.root, fp.fieldKey)
        if (linked !== NONE) store.collect(fp.plan, linked, deps, new Set())
      }
      return deps
    }

    const setDeps = (watcher: Watcher, deps: Set<string>): void => {
      for (const dep of watcher.deps) {
        if (deps.has(dep)) continue
        const set = index.get(dep)
        set?.delete(watcher)
        if (set?.size === 0) index.delete(dep)
      }
      for (const dep of deps) {
        let set = index.get(dep)
        if (set === undefined) index.set(dep, set = new Set())
        set.add(watcher)
      }
      watcher.deps = deps
    }

    const listener = (w: Write): void => {
      if (index.size === 0) return
      const affected = new Set<Watcher>()
      for (const dep of w.changed) {
        const set = index.get(dep)
        if (set !== undefined) { for (const watcher of set) affected.add(watcher) }
      }
      for (const watcher of affected) {
        const result = core.readPlan<unknown>(watcher.plan, w.now, watcher.partial)
        setDeps(watcher, depsOf(watcher))
        if (sameResult(result, watcher.result)) continue
        watcher.result = result
        watcher.onChange(result)
      }
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => state.listeners.add(listener)),
      () => Effect.sync(() => state.listeners.delete(listener))
    )

    const subscribe = <A>(
      input: D.QueryInput<A, unknown>,
      onChange: (result: ReadResult<A>) => void
    ): { readonly initial: ReadResult<A>; readonly stop: () => void } => {
      const compiled = core.compile(input.query)
      const plan = compiled.instance(input.variables as Variables | undefined).read as ObjectPlan
      const initial = core.readOperation<A>(
        compiled,
        input.variables as Variables | undefined,
        clock.unsafeCurrentTimeMillis(),
        partial
      )
      const watcher: Watcher = {
        plan,
        partial,
        deps: new Set(),
        result: initial,
        onChange: onChange as (r: ReadResult<unknown>) => void
      }
      for (const fp of plan.fields) ops.retain(fp.fieldKey)
      setDeps(watcher, depsOf(watcher))
      let stopped = false
      return {
        initial,
        stop: () => {
          if (stopped) return
          stopped = true
          setDeps(watcher, new Set())
          for (const fp of plan.fields) ops.release(fp.fieldKey)
        }
      }
    }

    // ---------------------------------------------------------------------------------------------
    // mutations

    const mutate = <Result, Vars, E, R>(
      options: D.MutateOptions<Result, Vars, E, R>
    ): Effect.Effect<Result, E | InvalidCacheCall, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          const compiled = core.compile(options.query)
          const variables = options.variables as Variables | undefined
          const plan = compiled.instance(variables).write as ObjectPlan
          const optimistic = plan.fields.filter((fp) =>
            config.optimistic?.[keys.fieldNameOf(fp.fieldKey)] !== undefined
          )
          let layer: Layer | undefined
          if (optimistic.length > 0) {
            layer = { id: ++state.layerIds, name: compiled.typename, entries: new Map() }
            store.layers.push(layer)
            const w = newWrite(layer, clock.unsafeCurrentTimeMillis())
            const data: D.DataObject = {}
            const built = withCache(w, "optimistic", (cache) => {
              for (const fp of optimistic) {
                const fieldName = keys.fieldNameOf(fp.fieldKey)
                data[fp.name] = config.optimistic![fieldName]!(keys.argsOf(fp.fieldKey) ?? {}, cache, {
                  parentTypeName: compiled.typename,
                  parentKey: compiled.typename,
                  parentFieldKey: fp.fieldKey,
                  fieldName,
                  variables: variables ?? {},
                  optimistic: true
                })
              }
            })
            const applied = Exit.isSuccess(built) ? applyResult(w, compiled, variables, data, true) : built
            if (Exit.isFailure(applied)) store.dropLayer(w, layer)
            yield* finish(w)
            if (Exit.isFailure(applied)) return yield* Effect.failCause(applied.cause)
          }
          const exit = yield* Effect.exit(restore(options.run))
          const w = newWrite(undefined, clock.unsafeCurrentTimeMillis())
          if (layer !== undefined) store.dropLayer(w, layer)
          const applied = Exit.isSuccess(exit) ? applyResult(w, compiled, variables, exit.value, false) : Exit.void
          yield* finish(w)
          if (Exit.isFailure(applied)) return yield* Effect.failCause(applied.cause)
          return yield* exit
        })
      ).pipe(Effect.withSpan("Documents.mutate"))

    const readQueryTracked = <A>(input: D.QueryInput<A, unknown>): D.TrackedRead<A> => {
      const compiled = core.compile(input.query)
      const variables = input.variables as Variables | undefined
      const result = core.readOperation<A>(compiled, variables, clock.unsafeCurrentTimeMillis(), true)
      const plan = compiled.instance(variables).read as ObjectPlan
      // partial data where none of the root fields is in the graph is no data (Graphcache's rule)
      const none = !result.complete && result.data !== null && !plan.fields.some((fp) =>
        fp.resolver !== undefined
          ? fp.resolver(keys.ROOT) !== undefined
          : store.getLink(store.root, fp.fieldKey) !== NONE || store.getRecord(store.root, fp.fieldKey) !== NONE
      )
      const data = none ? null : result.data
      if (data !== null) return { ...result, data, dependencies: depsOfPlan(plan) }
      const absent = plan.fields.find((fp) =>
        fp.resolver === undefined && store.getLink(store.root, fp.fieldKey) === NONE &&
        store.getRecord(store.root, fp.fieldKey) === NONE
      )
      const missing = absent === undefined
        ? undefined
        : { field: keys.fieldNameOf(absent.fieldKey), args: keys.argsOf(absent.fieldKey) ?? null }
      return { ...result, data, dependencies: depsOfPlan(plan), ...(missing === undefined ? {} : { missing }) }
    }

    const onChange = (listener: (changed: ReadonlySet<string>) => void): () => void => {
      const registered = (w: Write) => {
        if (w.changed.size > 0) listener(w.changed)
      }
      state.listeners.add(registered)
      return () => {
        state.listeners.delete(registered)
      }
    }

    const applyOptimistic = (input: D.QueryInput<unknown, unknown>): D.OptimisticLayer | null => {
      const compiled = core.compile(input.query)
      const variables = input.variables as Variables | undefined
      if (compiled.kind !== "mutation") return null
      const plan = compiled.instance(variables).write as ObjectPlan
      const optimistic = plan.fields.filter((fp) => config.optimistic?.[keys.fieldNameOf(fp.fieldKey)] !== undefined)
      if (optimistic.length === 0) return null
      const layer: Layer = { id: ++state.layerIds, name: compiled.typename, entries: new Map() }
      store.layers.push(layer)
      const w = newWrite(layer, clock.unsafeCurrentTimeMillis())
      const data: D.DataObject = {}
      const built = withCache(w, "optimistic", (cache) => {
        for (const fp of optimistic) {
          const fieldName = keys.fieldNameOf(fp.fieldKey)
          const info: D.ResolveInfo = {
            parentTypeName: compiled.typename,
            parentKey: compiled.typename,
            parentFieldKey: fp.fieldKey,
            fieldName,
            variables: variables ?? {},
            optimistic: true
          }
          data[fp.name] = lazyFields(
            config.optimistic![fieldName]!(keys.argsOf(fp.fieldKey) ?? {}, cache, info),
            cache,
            info
          )
        }
      })
      const applied = Exit.isSuccess(built) ? applyResult(w, compiled, variables, data, true) : built
      if (Exit.isFailure(applied)) store.dropLayer(w, layer)
      Effect.runSync(finish(w))
      if (Exit.isFailure(applied)) return null
      let dropped = false
      return {
        drop: () => {
          if (dropped) return
          dropped = true
          const dw = newWrite(undefined, clock.unsafeCurrentTimeMillis())
          store.dropLayer(dw, layer)
          settle(dw)
          Effect.runSync(finish(dw))
        }
      }
    }

    // ---------------------------------------------------------------------------------------------
    // result layers: results written in the order their operations were sent

    /** The result layers in the store's stack, and whether each has its result (or will get none). */
    const resultLayers = new Map<Layer, { done: boolean }>()

    /** Moves the finished result layers at the bottom of the stack into the base. */
    const settle = (w: Write): void => {
      while (store.layers.length > 0) {
        const bottom = store.layers[0]!
        if (resultLayers.get(bottom)?.done !== true) break
        resultLayers.delete(bottom)
        store.mergeLayer(w, bottom)
      }
    }

    const pendingLayers = (): boolean => {
      for (const slot of resultLayers.values()) if (!slot.done) return true
      return false
    }

    const reserveLayer = (): D.ResultLayer => {
      const layer: Layer = { id: ++state.layerIds, name: "result", entries: new Map() }
      // under the optimistic layers on top of the stack, above everything else
      let at = store.layers.length
      while (at > 0 && !resultLayers.has(store.layers[at - 1]!)) at--
      store.layers.splice(at, 0, layer)
      const slot = { done: false }
      resultLayers.set(layer, slot)
      return {
        write: (input) => {
          slot.done = true
          if (!resultLayers.has(layer)) return writeResultSync(input)
          if (store.layers[0] === layer) {
            // nothing below it: the base is where it goes
            resultLayers.delete(layer)
            store.layers.shift()
            return writeInto(undefined, input)
          }
          return writeInto(layer, input)
        },
        close: () => {
          if (slot.done) return
          slot.done = true
          const w = newWrite(undefined, clock.unsafeCurrentTimeMillis())
          settle(w)
          Effect.runSync(finish(w))
        }
      }
    }

    const writeResultSync = <A>(
      input: D.QueryInput<A, unknown> & { readonly data: A }
    ): Exit.Exit<A, InvalidCacheCall> => {
      if (!pendingLayers()) return writeInto(undefined, input)
      // results of queries sent earlier are still to come: this one goes above them
      const layer: Layer = { id: ++state.layerIds, name: "result", entries: new Map() }
      store.layers.push(layer)
      resultLayers.set(layer, { done: true })
      return writeInto(layer, input)
    }

    const writeInto = <A>(
      layer: Layer | undefined,
      input: D.QueryInput<A, unknown> & { readonly data: A }
    ): Exit.Exit<A, InvalidCacheCall> => {
      const now = clock.unsafeCurrentTimeMillis()
      const w = newWrite(layer, now)
      const compiled = core.compile(input.query)
      const variables = input.variables as Variables | undefined
      let links: ReadonlyMap<string, Link> | undefined
      const exit = applyResult(w, compiled, variables, input.data, false, (written) => (links = written))
      settle(w)
      Effect.runSync(finish(w))
      if (Exit.isFailure(exit)) return Exit.failCause(exit.cause)
      const data = input.data as D.DataObject
      if (links === undefined || typeof data !== "object" || data === null) return Exit.succeed(input.data)
      // the fields' entities as the graph has them now (local resolvers applied); the result's own value
      // where they cannot be read back
      const plan = compiled.instance(variables).read as ObjectPlan
      const out: D.DataObject = {}
      for (const fp of plan.fields) {
        if (!Object.prototype.hasOwnProperty.call(data, fp.name)) continue
        const link = links.get(fp.name)
        const read = link === undefined || fp.plan._tag === "Leaf" ? undefined : store.readLinkAt(fp.plan, link, now)
        out[fp.name] = read === undefined || read.value === MISSING ? data[fp.name] : read.value as D.DataField
      }
      return Exit.succeed(out as A)
    }

    const readQuerySync = <A>(input: D.QueryInput<A, unknown>): ReadResult<A> =>
      core.readOperation<A>(
        core.compile(input.query),
        input.variables as Variables | undefined,
        clock.unsafeCurrentTimeMillis(),
        partial
      )

    const service: D.Service = {
      graph,
      readQuery: (input) => Effect.sync(() => readQuerySync(input)),
      readQuerySync,
      readQueryTracked,
      writeResultSync,
      reserveLayer,
      onChange,
      applyOptimistic,
      writeQuery: (input) =>
        writing((w) =>
          core.writeOperation(w, core.compile(input.query), input.variables as Variables | undefined, input.data)
        ),
      readFragment: <A>(
        fragment: D.DocumentInput<A, unknown>,
        entity: D.Entity,
        variables?: unknown,
        fragmentName?: string
      ) =>
        Effect.sync(() =>
          core.readFragment<A>(
            core.compile(fragment, fragmentName),
            entity,
            variables as Variables | undefined,
            clock.unsafeCurrentTimeMillis()
          )
        ),
      writeResult: (input) =>
        Effect.suspend(() => {
          const w = newWrite(undefined, clock.unsafeCurrentTimeMillis())
          const exit = applyResult(
            w,
            core.compile(input.query),
            input.variables as Variables | undefined,
            input.data,
            false
          )
          return Effect.zipRight(finish(w), exit)
        }),
      update: (f) =>
        Effect.suspend(() => {
          const w = newWrite(undefined, clock.unsafeCurrentTimeMillis())
          const exit = withCache(w, "update", f)
          return Effect.zipRight(finish(w), exit)
        }),
      mutate,
      keyOfEntity: core.keyOfEntity,
      invalidate: (entity, fieldName, args) => writing((w) => core.invalidate(w, entity, fieldName, args)),
      markStale: (typename, options) => writing((w) => ops.markStale(w, typename, options)),
      list: (nameOrField, options) => {
        const op = (mode: "append" | "prepend" | "remove" | "toggle") => (entity: D.Entity) =>
          writing((w) => core.listOp(w, nameOrField, options, mode, entity))
        return { append: op("append"), prepend: op("prepend"), remove: op("remove"), toggle: op("toggle") }
      },
      watch: <A>(input: D.QueryInput<A, unknown>) =>
        Stream.asyncPush<ReadResult<A>>((emit) =>
          Effect.acquireRelease(
            Effect.sync(() => {
              const watched = subscribe(input, (result) => emit.single(result))
              emit.single(watched.initial)
              return watched
            }),
            (watched) => Effect.sync(watched.stop)
          )
        ),
      subscribe: (input, onChange) => subscribe(input, onChange).stop
    }
    return service
  })
