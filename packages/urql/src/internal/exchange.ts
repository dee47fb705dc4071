/**
 * The exchange: a graph and its documents front end per client, request policies, watchers
 * that re-deliver results, mutations through `Documents.mutate`, offline snapshots.
 * @internal
 */
import type { DirectiveNode, DocumentNode } from "@0no-co/graphql.web"
import { visit } from "@0no-co/graphql.web"
import { Store } from "@cachet/core"
import { Documents, EntityGraph } from "@cachet/normalize"
import type { Exchange, Operation, OperationResult, RequestPolicy } from "@urql/core"
import { formatDocument, makeOperation, makeResult } from "@urql/core"
import { Context, Deferred, Effect, Exit, Fiber, Layer, Scope } from "effect"
import type { Source } from "wonka"
import { filter, fromPromise, fromValue, makeSubject, map, merge, mergeMap, pipe, share } from "wonka"

import type { Options } from "../CachetExchange.js"

type Data = Documents.DataObject

const withPolicy = (operation: Operation, requestPolicy: RequestPolicy): Operation =>
  makeOperation(operation.kind, operation, { ...operation.context, requestPolicy })

const variablesOf = (operation: Operation): Documents.Variables | undefined =>
  (operation.variables ?? undefined) as Documents.Variables | undefined

/**
 * The document sent on (memoized in `sent`): `__typename` in every selection, client-only `@list` directives removed.
 */
const toServer = (
  sent: WeakMap<Operation["query"], Operation["query"]>,
  query: Operation["query"]
): Operation["query"] => {
  let found = sent.get(query)
  if (found === undefined) {
    const formatted = formatDocument(query) as unknown as DocumentNode
    const stripped = visit(formatted, {
      Directive: (node: DirectiveNode) => (node.name.value === "list" ? null : undefined)
    }) as DocumentNode
    found = (stripped === formatted ? formatted : { ...stripped, loc: undefined }) as unknown as Operation["query"]
    sent.set(query, found)
  }
  return found
}

const isCacheQuery = (operation: Operation): boolean =>
  operation.kind === "query" && operation.context.requestPolicy !== "network-only"

/** @internal */
export const make = (config: Options): Exchange => ({ client, forward }) => {
  const scope = Effect.runSync(Scope.make())
  const context = Effect.runSync(Layer.buildWithScope(
    Documents.layer(config).pipe(Layer.provideMerge(EntityGraph.layer({
      ...(config.cacheBufferSize === undefined ? {} : { cacheBufferSize: config.cacheBufferSize }),
      ...(config.defaultLifetime === undefined ? {} : { defaultLifetime: config.defaultLifetime })
    }))),
    scope
  ))
  const graph = Context.get(context, EntityGraph.EntityGraph)
  const docs = Context.get(context, Documents.Documents)
  const partial = config.schema !== undefined
  const storage = config.storage
  const snapshotOptions = storage?.key === undefined ? {} : { key: storage.key }

  // -----------------------------------------------------------------------------------------------
  // offline storage: queries wait for the restore

  let hydrated = storage === undefined
  const waiting: Array<Operation> = []
  /** Queries that waited for the restore and go to the network. */
  const held = makeSubject<Operation>()
  const redelivered = makeSubject<OperationResult>()
  if (storage !== undefined) {
    void Effect.runPromise(
      graph.restore(snapshotOptions).pipe(
        Effect.provideService(Store.Store, storage.store),
        Effect.catchAllCause((cause) =>
          Effect.logWarning("cachetExchange: the offline snapshot could not be restored", cause)
        )
      )
    ).then(() => {
      hydrated = true
      for (const operation of waiting.splice(0)) {
        const result = lookup(operation)
        if (result === null) held.next(operation)
        else if (result !== "waiting") redelivered.next(result)
      }
    })
  }
  const save = (): void => {
    if (storage === undefined || !hydrated) return
    Effect.runFork(
      graph.snapshot(snapshotOptions).pipe(
        Effect.provideService(Store.Store, storage.store),
        Effect.catchAllCause((cause) =>
          Effect.logWarning("cachetExchange: the offline snapshot could not be saved", cause)
        )
      )
    )
  }

  // -----------------------------------------------------------------------------------------------
  // active queries

  const active = new Map<number, { operation: Operation; readonly stop: () => void }>()
  const inFlight = new Set<number>()
  let writing: number | undefined

  const refetch = (operation: Operation): void => {
    if (inFlight.has(operation.key)) return
    inFlight.add(operation.key)
    client.reexecuteOperation(withPolicy(operation, "network-only"))
  }

  const watch = (operation: Operation): void => {
    const found = active.get(operation.key)
    if (found !== undefined) {
      found.operation = operation
      return
    }
    const stop = docs.subscribe<Data>({ query: operation.query, variables: variablesOf(operation) }, (result) => {
      const entry = active.get(operation.key)
      if (entry === undefined || writing === operation.key) return
      const usable = result.data !== null && (result.complete || partial)
      const refresh = (!result.complete || result.stale) && entry.operation.context.requestPolicy !== "cache-only"
      if (refresh) refetch(entry.operation)
      if (usable) {
        const delivered = makeResult(entry.operation, { data: result.data }, undefined)
        redelivered.next(refresh ? { ...delivered, stale: true } : delivered)
      }
    })
    active.set(operation.key, { operation, stop })
  }

  const unwatch = (key: number): void => {
    active.get(key)?.stop()
    active.delete(key)
    inFlight.delete(key)
  }

  /** A query answered from the graph, or null when it goes to the network (or waits for the restore). */
  const lookup = (operation: Operation): OperationResult | null | "waiting" => {
    if (!hydrated) {
      waiting.push(operation)
      return "waiting"
    }
    const read = docs.readQuerySync<Data>({ query: operation.query, variables: variablesOf(operation) })
    const policy = operation.context.requestPolicy
    const usable = read.data !== null && (read.complete || partial)
    if (policy === "cache-only") {
      watch(operation)
      return makeResult(operation, { data: read.data }, undefined)
    }
    if (!usable) return null
    watch(operation)
    const refresh = policy === "cache-and-network" || !read.complete || read.stale
    if (refresh) refetch(operation)
    const result = makeResult(operation, { data: read.data }, undefined)
    return refresh ? { ...result, stale: true } : result
  }

  // -----------------------------------------------------------------------------------------------
  // network results

  const originals = new Map<number, Operation>()
  const sent = new WeakMap<Operation["query"], Operation["query"]>()
  const mutations = new Map<number, {
    readonly done: Deferred.Deferred<Data, unknown>
    readonly fiber: Fiber.RuntimeFiber<Data, unknown>
  }>()

  const sendOn = (operation: Operation): Operation => {
    if (operation.kind === "teardown") {
      unwatch(operation.key)
      originals.delete(operation.key)
      return operation
    }
    originals.set(operation.key, operation)
    if (operation.kind === "mutation") {
      const done = Effect.runSync(Deferred.make<Data, unknown>())
      const fiber = Effect.runFork(
        docs.mutate({ query: operation.query, variables: variablesOf(operation), run: Deferred.await(done) })
      )
      mutations.set(operation.key, { done, fiber })
    }
    const query = toServer(sent, operation.query)
    return makeOperation(operation.kind, { ...operation, query }, operation.context)
  }

  const onResult = (result: OperationResult): Source<OperationResult> => {
    const original = originals.get(result.operation.key) ?? result.operation
    const operation = makeOperation(original.kind, original, result.operation.context)
    if (operation.kind === "mutation") {
      originals.delete(operation.key)
      const pending = mutations.get(operation.key)
      mutations.delete(operation.key)
      if (pending === undefined) return fromValue({ ...result, operation })
      if (result.data != null) Deferred.unsafeDone(pending.done, Exit.succeed(result.data as Data))
      else Deferred.unsafeDone(pending.done, Exit.fail(result.error))
      return fromPromise(
        Effect.runPromise(Fiber.await(pending.fiber)).then(() => {
          save()
          return { ...result, operation }
        })
      )
    }
    if (result.data == null || (operation.kind !== "query" && operation.kind !== "subscription")) {
      if (operation.kind === "query") inFlight.delete(operation.key)
      return fromValue({ ...result, operation })
    }
    writing = operation.key
    const written = Effect.runSyncExit(
      docs.writeResult({ query: operation.query, variables: variablesOf(operation), data: result.data as Data })
    )
    writing = undefined
    save()
    if (operation.kind === "subscription" || Exit.isFailure(written)) return fromValue({ ...result, operation })
    inFlight.delete(operation.key)
    const read = docs.readQuerySync<Data>({ query: operation.query, variables: variablesOf(operation) })
    watch(operation)
    if (!read.complete || read.data === null) return fromValue({ ...result, operation })
    return fromValue({ ...result, operation, data: read.data, stale: false })
  }

  return (operations$) => {
    const shared = pipe(operations$, share)
    const looked = pipe(
      shared,
      filter(isCacheQuery),
      map((operation) => ({ operation, result: lookup(operation) })),
      share
    )
    const hits = pipe(
      looked,
      filter((x) => x.result !== null && x.result !== "waiting"),
      map((x) => x.result as OperationResult)
    )
    const misses = pipe(looked, filter((x) => x.result === null), map((x) => x.operation))
    const others = pipe(shared, filter((operation) => !isCacheQuery(operation)))
    const network = pipe(
      merge([misses, others, held.source]),
      map(sendOn),
      forward,
      mergeMap(onResult)
    )
    return merge([hits, network, redelivered.source])
  }
}
