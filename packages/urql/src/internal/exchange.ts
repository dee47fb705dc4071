/**
 * The exchange: a graph and its documents front end per client. Queries are answered from the
 * graph when they can be and marked with `cacheOutcome`; results are written and read back;
 * queries whose data a write changed (or that share data with a query just written) are
 * re-executed through `client.reexecuteOperation`, with a guard against re-execution loops;
 * optimistic mutation layers block refetches of the queries they touched until every open
 * optimistic mutation has its result, and those results are then applied as one batch.
 * @internal
 */
import type { DirectiveNode, DocumentNode, OperationDefinitionNode } from "@0no-co/graphql.web"
import { Kind, visit } from "@0no-co/graphql.web"
import { MemoryStore, Store } from "@cachet/core"
import { Documents, EntityGraph } from "@cachet/normalize"
import type { Exchange, Operation, OperationResult, RequestPolicy } from "@urql/core"
import { createRequest, formatDocument, makeOperation, stringifyDocument } from "@urql/core"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import type { Source } from "wonka"
import { empty, filter, fromArray, fromValue, makeSubject, map, merge, mergeMap, pipe, share } from "wonka"

import type { Options, StorageAdapter } from "../CachetExchange.js"
import { makeMask, selectionOf } from "./select.js"

type Data = Documents.DataObject
type CacheOutcome = "hit" | "miss" | "partial"

const withPolicy = (operation: Operation, requestPolicy: RequestPolicy): Operation =>
  makeOperation(operation.kind, operation, { ...operation.context, requestPolicy })

const withOutcome = (operation: Operation, cacheOutcome: CacheOutcome): Operation =>
  makeOperation(operation.kind, operation, {
    ...operation.context,
    meta: { ...operation.context.meta, cacheOutcome }
  })

const variablesOf = (operation: Operation): Documents.Variables | undefined =>
  (operation.variables ?? undefined) as Documents.Variables | undefined

/** Client-only directives: urql's `_`-prefixed ones (`@_optional`, `@_required`) and Houdini's `@list`. */
const isClientDirective = (name: string): boolean => name === "list" || name.startsWith("_")

/**
 * The document sent on (memoized in `sent`): `__typename` in every selection, client-only
 * directives removed.
 */
const toServer = (
  sent: WeakMap<Operation["query"], Operation["query"]>,
  query: Operation["query"]
): Operation["query"] => {
  let found = sent.get(query)
  if (found === undefined) {
    const formatted = formatDocument(query) as unknown as DocumentNode
    const stripped = visit(formatted, {
      Directive: (node: DirectiveNode) => (isClientDirective(node.name.value) ? null : undefined)
    }) as DocumentNode
    found = (stripped === formatted ? formatted : { ...stripped, loc: undefined }) as unknown as Operation["query"]
    sent.set(query, found)
  }
  return found
}

/** The variables the operation declares (what is sent on); the operation keeps all of them for the cache. */
const declaredVariables = (operation: Operation): Operation["variables"] => {
  const variables = operation.variables as Record<string, unknown> | undefined | null
  if (variables === undefined || variables === null) return operation.variables
  const main = operation.query.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as
    | OperationDefinitionNode
    | undefined
  if (main === undefined) return operation.variables
  const kept: Record<string, unknown> = {}
  for (const def of main.variableDefinitions ?? []) {
    const name = def.variable.name.value
    if (name in variables) kept[name] = variables[name]
  }
  return kept as Operation["variables"]
}

/** Where the graph's snapshot is kept (in a Cachet `Store`, or as the one entry of Graphcache's adapter). */
const SNAPSHOT_KEY = "cachet:normalize:snapshot"

const isOffline = (): boolean =>
  (globalThis as { readonly navigator?: { readonly onLine?: boolean } }).navigator?.onLine === false

const isCacheQuery = (operation: Operation): boolean =>
  operation.kind === "query" && operation.context.requestPolicy !== "network-only"

/** @internal */
export const make = (config: Options): Exchange => ({ client, forward }) => {
  const scope = Effect.runSync(Scope.make())
  // with Graphcache's adapter, gc runs as Graphcache's does: root fields stay, unreachable entities go
  const offlineAdapter = config.storage !== undefined && "readData" in config.storage
  const bufferSize = config.cacheBufferSize ?? (offlineAdapter ? Infinity : undefined)
  const context = Effect.runSync(Layer.buildWithScope(
    Documents.layer(config).pipe(Layer.provideMerge(EntityGraph.layer({
      ...(bufferSize === undefined ? {} : { cacheBufferSize: bufferSize }),
      ...(config.defaultLifetime === undefined ? {} : { defaultLifetime: config.defaultLifetime })
    }))),
    scope
  ))
  const graph = Context.get(context, EntityGraph.EntityGraph)
  const docs = Context.get(context, Documents.Documents)
  const storage = config.storage
  const adapter = storage !== undefined && "readData" in storage ? storage : undefined
  const cachetStore = storage !== undefined && "store" in storage ? storage : undefined
  const mask = makeMask()
  /** Data as the operation's document selects it. */
  const selected = <A>(operation: Operation, data: A): A => {
    if (data === null || data === undefined) return data
    const selection = selectionOf(operation.query as unknown as DocumentNode)
    return selection === null ? data : mask(data, selection) as A
  }
  const snapshotOptions = cachetStore?.key === undefined ? {} : { key: cachetStore.key }

  // -----------------------------------------------------------------------------------------------
  // what writes change: collected while a write the exchange makes runs

  let collecting: Set<string> | undefined
  docs.onChange((changed) => {
    if (collecting !== undefined) { for (const key of changed) collecting.add(key) }
  })
  const collect = <A>(into: Set<string>, f: () => A): A => {
    const outer = collecting
    collecting = into
    try {
      return f()
    } finally {
      collecting = outer
      if (outer !== undefined) { for (const key of into) outer.add(key) }
    }
  }

  // -----------------------------------------------------------------------------------------------
  // operations and their dependencies

  /** The last operation seen for each key, with all its variables. */
  const operations = new Map<number, Operation>()
  /** The query keys that read each dependency key, and the dependency keys each query read. */
  const readers = new Map<string, Set<number>>()
  const readBy = new Map<number, ReadonlySet<string>>()
  /** Queries re-executed by the last result written (they may not refetch again: loop protection). */
  let reexecuting = new Set<number>()
  /** Queries re-executed while the current result is written. */
  let dependent = new Set<number>()
  /** `cache-and-network` queries whose refetch an optimistic layer blocked: refetched once it is gone. */
  const refetchLater = new Set<number>()
  /** Dependency keys changed by open optimistic layers: queries reading them do not refetch. */
  const blocked = new Set<string>()
  const layers = new Map<number, Documents.OptimisticLayer>()
  /** The optimistic mutations that changed data, and what they changed. */
  const optimistic = new Map<number, Set<string>>()
  /** Results of optimistic mutations held until every one has its result. */
  const held: Array<OperationResult> = []

  const setDependencies = (key: number, deps: ReadonlySet<string>): void => {
    const before = readBy.get(key)
    if (before !== undefined) {
      for (const dep of before) {
        if (deps.has(dep)) continue
        const set = readers.get(dep)
        set?.delete(key)
        if (set?.size === 0) readers.delete(dep)
      }
    }
    for (const dep of deps) {
      let set = readers.get(dep)
      if (set === undefined) readers.set(dep, set = new Set())
      set.add(key)
    }
    readBy.set(key, deps)
  }

  const forget = (key: number): void => {
    setDependencies(key, new Set())
    readBy.delete(key)
    operations.delete(key)
    reexecuting.delete(key)
    refetchLater.delete(key)
  }

  const readersOf = (deps: Iterable<string>, into: Set<number>): void => {
    for (const dep of deps) {
      const set = readers.get(dep)
      if (set !== undefined) { for (const key of set) into.add(key) }
    }
  }

  const isBlocked = (deps: ReadonlySet<string>): boolean => {
    if (blocked.size === 0) return false
    for (const dep of deps) if (blocked.has(dep)) return true
    return false
  }

  /** Re-executes the pending queries (from the cache) other than `cause`; a final write rotates the loop guard. */
  const reexecute = (cause: Operation, pending: ReadonlySet<number>, isOptimistic: boolean): void => {
    for (const key of pending) {
      if (key === cause.key) continue
      const operation = operations.get(key)
      if (operation === undefined || operation.kind !== "query") continue
      if (cause.kind === "query") dependent.add(key)
      const policy: RequestPolicy = refetchLater.delete(key) ? "cache-and-network" : "cache-first"
      client.reexecuteOperation(withPolicy(operation, policy))
    }
    if (!isOptimistic) {
      const previous = reexecuting
      reexecuting = dependent
      if (cause.kind === "query") reexecuting.add(cause.key)
      dependent = previous
      dependent.clear()
    }
  }

  // -----------------------------------------------------------------------------------------------
  // offline storage: queries wait for the restore

  let hydrated = storage === undefined
  const waiting: Array<Operation> = []
  const restored = makeSubject<Operation>()
  /** With Graphcache's adapter, the snapshot passes through a memory store on its way in and out. */
  const backing = cachetStore?.store ??
    (adapter === undefined
      ? undefined
      : Context.get(Store.context(Effect.runSync(MemoryStore.make().pipe(Scope.extend(scope)))), Store.Store))
  /** Optimistic mutations that failed for want of a network: sent again when back online. */
  const queued: Array<Operation> = []
  const writeQueue = (): void =>
    adapter?.writeMetadata?.(
      queued.map((operation) => ({
        query: stringifyDocument(operation.query),
        variables: (operation.variables ?? undefined) as Record<string, unknown> | undefined
      }))
    )
  const replay = (): void => {
    const operations = queued.splice(0)
    writeQueue()
    for (const operation of operations) {
      layers.get(operation.key)?.drop()
      layers.delete(operation.key)
      client.reexecuteOperation(operation)
    }
  }
  const restoreAdapter = async (from: StorageAdapter): Promise<void> => {
    const entries = await from.readData()
    const text = entries[SNAPSHOT_KEY]
    if (text !== undefined) {
      await Effect.runPromise(backing!.set(SNAPSHOT_KEY, {
        value: text,
        stamp: 0,
        createdAt: 0,
        ttl: Infinity,
        grace: 0,
        tags: [],
        failed: false
      }))
    }
  }
  if (storage !== undefined) {
    const read = adapter === undefined ? Promise.resolve() : restoreAdapter(adapter)
    void read.then(() =>
      Effect.runPromise(
        graph.restore(snapshotOptions).pipe(
          Effect.provideService(Store.Store, backing!),
          Effect.catchAllCause((cause) =>
            Effect.logWarning("cachetExchange: the offline snapshot could not be restored", cause)
          )
        )
      )
    ).catch((error: unknown) =>
      Effect.runPromise(Effect.logWarning("cachetExchange: the offline data could not be read", error))
    ).then(async () => {
      hydrated = true
      adapter?.onCacheHydrated?.()
      for (const operation of waiting.splice(0)) restored.next(operation)
      const requests = (await adapter?.readMetadata?.()) ?? []
      for (const request of requests) {
        queued.push(client.createRequestOperation("mutation", createRequest(request.query, request.variables ?? {})))
      }
      if (queued.length > 0 && !isOffline()) replay()
    })
    adapter?.onOnline?.(replay)
  }
  let saving = false
  const save = (): void => {
    if (backing === undefined || !hydrated) return
    const snapshot = graph.snapshot(snapshotOptions).pipe(Effect.provideService(Store.Store, backing))
    const saved = adapter === undefined ? snapshot : Effect.gen(function*() {
      saving = false
      yield* graph.gc()
      yield* snapshot
      const entry = yield* backing.get(SNAPSHOT_KEY)
      if (entry._tag === "Some") {
        const value = entry.value.value
        yield* Effect.promise(() => adapter.writeData({ [SNAPSHOT_KEY]: String(value) }))
      }
    })
    if (adapter !== undefined) {
      // once per burst of writes, after it (as Graphcache persists)
      if (saving) return
      saving = true
    }
    Effect.runFork(
      (adapter === undefined ? saved : Effect.yieldNow().pipe(Effect.zipRight(saved))).pipe(
        Effect.catchAllCause((cause) =>
          Effect.logWarning("cachetExchange: the offline snapshot could not be saved", cause)
        )
      )
    )
  }

  /** A result that failed for want of a network (Graphcache's offline rule); only with an adapter. */
  const failedOffline = (result: OperationResult): boolean => {
    const error = result.error
    if (adapter === undefined || error?.networkError === undefined || error.response !== undefined) return false
    return isOffline() || /request failed|failed to fetch|network\s?error/i.test(error.networkError.message)
  }

  // -----------------------------------------------------------------------------------------------
  // queries answered from the graph

  type Looked =
    | { readonly _tag: "Result"; readonly result: OperationResult }
    | { readonly _tag: "Forward"; readonly operation: Operation }
    | { readonly _tag: "None" }

  const none: Looked = { _tag: "None" }

  const lookup = (operation: Operation): Looked => {
    if (!hydrated) {
      waiting.push(operation)
      return none
    }
    const read = docs.readQueryTracked<Data>({ query: operation.query, variables: variablesOf(operation) })
    operations.set(operation.key, operation)
    setDependencies(operation.key, read.dependencies)
    const policy = operation.context.requestPolicy
    const outcome: CacheOutcome = read.data === null ? "miss" : read.complete ? "hit" : "partial"
    if (read.missing !== undefined && config.logger !== undefined) {
      const { args, field } = read.missing
      const withArgs = args === null || Object.keys(args).length === 0 ? "" : ` with args ${JSON.stringify(args)}`
      config.logger("debug", `No value for field "${field}"${withArgs} on entity "Query"`)
    }
    if (outcome === "miss" && policy !== "cache-only") {
      if (isBlocked(read.dependencies) || reexecuting.has(operation.key)) return none
      return { _tag: "Forward", operation: withOutcome(operation, "miss") }
    }
    const cacheOnly = policy === "cache-only"
    const isPartial = outcome === "partial" && !cacheOnly
    const refetch = !cacheOnly &&
      (policy === "cache-and-network" || read.stale || (isPartial && !reexecuting.has(operation.key)))
    const result: OperationResult = {
      operation: withOutcome(operation, outcome),
      data: selected(operation, read.data),
      stale: !cacheOnly && (refetch || isPartial),
      hasNext: false
    }
    if (refetch) {
      if (!isBlocked(read.dependencies)) client.reexecuteOperation(withPolicy(operation, "network-only"))
      else if (policy === "cache-and-network") refetchLater.add(operation.key)
    }
    return { _tag: "Result", result }
  }

  // -----------------------------------------------------------------------------------------------
  // operations sent on

  const sent = new WeakMap<Operation["query"], Operation["query"]>()

  /** The places reserved for the results of the queries sent on, in the order they were sent. */
  const places = new Map<number, Documents.ResultLayer>()

  const sendOn = (operation: Operation): Operation => {
    if (operation.kind === "teardown") {
      forget(operation.key)
      // a result still on its way lands in its place, in order; none holds up the results above it
      places.get(operation.key)?.close()
      const layer = layers.get(operation.key)
      if (layer !== undefined && !optimistic.has(operation.key)) {
        layers.delete(operation.key)
        layer.drop()
      }
      return operation
    }
    operations.set(operation.key, operation)
    if (operation.kind === "query") {
      places.get(operation.key)?.close()
      places.set(operation.key, docs.reserveLayer())
    }
    if (operation.kind === "mutation" && operation.context.requestPolicy !== "network-only") {
      const changed = new Set<string>()
      const layer = collect(
        changed,
        () => docs.applyOptimistic({ query: operation.query, variables: variablesOf(operation) })
      )
      if (layer !== null) layers.set(operation.key, layer)
      if (changed.size > 0) {
        for (const dep of changed) blocked.add(dep)
        optimistic.set(operation.key, changed)
        const pending = new Set<number>()
        readersOf(changed, pending)
        reexecute(operation, pending, true)
      }
    }
    const outgoing = operation.kind === "query" || operation.kind === "mutation"
      ? withOutcome(operation, "miss")
      : operation
    return makeOperation(outgoing.kind, {
      key: outgoing.key,
      query: toServer(sent, outgoing.query),
      variables: declaredVariables(outgoing)
    }, outgoing.context)
  }

  // -----------------------------------------------------------------------------------------------
  // results

  /** Writes a result (and, for a mutation, drops its optimistic layer); adds the queries to re-execute to `pending`. */
  const apply = (result: OperationResult, pending: Set<number>): OperationResult => {
    const original = operations.get(result.operation.key) ?? result.operation
    const operation = makeOperation(original.kind, original, result.operation.context)
    const changed = new Set<string>()
    if (operation.kind === "mutation") {
      const before = optimistic.get(operation.key)
      if (before !== undefined) readersOf(before, pending)
      optimistic.delete(operation.key)
      const layer = layers.get(operation.key)
      layers.delete(operation.key)
      // what the layer changed when it was written is in `before`; its removal is not a change of its own
      layer?.drop()
      operations.delete(operation.key)
    }
    let data = result.data as Data | null | undefined
    if (data == null && operation.kind === "query") {
      places.get(operation.key)?.close()
      places.delete(operation.key)
    }
    if (data != null) {
      const input = { query: operation.query, variables: variablesOf(operation), data }
      const place = operation.kind === "query" ? places.get(operation.key) : undefined
      places.delete(operation.key)
      const written = collect(changed, () => place === undefined ? docs.writeResultSync(input) : place.write(input))
      if (Exit.isFailure(written)) {
        void Effect.runFork(Effect.logWarning("cachetExchange: a result could not be written", written.cause))
      }
      save()
      if (operation.kind === "query" && Exit.isSuccess(written)) {
        const read = docs.readQueryTracked<Data>({ query: operation.query, variables: variablesOf(operation) })
        setDependencies(operation.key, read.dependencies)
        readersOf(read.dependencies, pending)
        if (read.data !== null || result.error === undefined) data = read.data
      } else if (Exit.isSuccess(written)) data = written.value
    }
    readersOf(changed, pending)
    return { ...result, operation, data: selected(operation, data) }
  }

  const onResult = (result: OperationResult): Source<OperationResult> => {
    if (failedOffline(result)) {
      const key = result.operation.key
      const operation = operations.get(key) ?? result.operation
      if (operation.kind === "mutation" && layers.has(key)) {
        // kept with its optimistic result, and sent again once back online
        optimistic.delete(key)
        if (optimistic.size === 0) blocked.clear()
        queued.push(operation)
        writeQueue()
        return empty
      }
      if (operation.kind === "query" && operation.context.requestPolicy !== "cache-only") {
        places.get(key)?.close()
        places.delete(key)
        client.reexecuteOperation(withPolicy(operation, "cache-only"))
        return empty
      }
    }
    if (!optimistic.has(result.operation.key)) {
      const pending = new Set<number>()
      const applied = apply(result, pending)
      reexecute(applied.operation, pending, false)
      return fromValue(applied)
    }
    held.push(result)
    if (held.length < optimistic.size) return empty
    blocked.clear()
    const pending = new Set<number>()
    const applied = held.splice(0).map((r) => apply(r, pending))
    reexecute(result.operation, pending, false)
    return fromArray(applied)
  }

  return (operations$) => {
    const shared = pipe(operations$, share)
    const looked = pipe(shared, filter(isCacheQuery), map(lookup), share)
    const answered = pipe(
      looked,
      filter((x) => x._tag === "Result"),
      map((x) => (x as Extract<Looked, { _tag: "Result" }>).result)
    )
    const misses = pipe(
      looked,
      filter((x) => x._tag === "Forward"),
      map((x) => (x as Extract<Looked, { _tag: "Forward" }>).operation)
    )
    const others = pipe(shared, filter((operation) => !isCacheQuery(operation)))
    const afterRestore = pipe(
      restored.source,
      map(lookup),
      share
    )
    const restoredAnswers = pipe(
      afterRestore,
      filter((x) => x._tag === "Result"),
      map((x) => (x as Extract<Looked, { _tag: "Result" }>).result)
    )
    const restoredMisses = pipe(
      afterRestore,
      filter((x) => x._tag === "Forward"),
      map((x) => (x as Extract<Looked, { _tag: "Forward" }>).operation)
    )
    const network = pipe(
      merge([misses, others, restoredMisses]),
      map(sendOn),
      forward,
      mergeMap(onResult)
    )
    return merge([network, answered, restoredAnswers])
  }
}
