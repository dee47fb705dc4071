/**
 * `cachetExchange`: an urql exchange (for `@urql/core` 6) backed by a Cachet normalized graph,
 * configured like urql Graphcache (`keys`, `resolvers`, `updates`, `optimistic`, `schema`,
 * `storage`), so a Graphcache configuration ports unchanged and needs no Effect.
 *
 * @since 0.1.0
 */
import type { Store } from "@cachet/core"
import { Documents } from "@cachet/normalize"
import type { Exchange } from "@urql/core"

import * as internal from "./internal/exchange.js"

/**
 * Offline storage: the graph is restored from `store` when the exchange starts (queries wait
 * for it) and saved there (`EntityGraph.snapshot`) after every result written.
 *
 * @since 0.1.0
 * @category models
 */
export interface Storage {
  readonly store: Store.Store["Type"]
  /** Where the snapshot is kept (default `cachet:normalize:snapshot`). */
  readonly key?: string
}

/**
 * A request kept while offline, as Graphcache's `SerializedRequest`: the query text and variables.
 *
 * @since 0.1.0
 * @category models
 */
export interface SerializedRequest {
  readonly query: string
  readonly variables: Record<string, unknown> | undefined
}

/**
 * Graphcache's `StorageAdapter` (`makeDefaultStorage` of `@urql/exchange-graphcache/default-storage`
 * fits): with it the exchange is Graphcache's `offlineExchange`. The graph is restored from
 * `readData` before queries are answered and saved with `writeData` (one entry,
 * `cachet:normalize:snapshot`) after writes; optimistic mutations that fail for want of a network
 * keep their optimistic result and are queued (`writeMetadata`), then sent again when `onOnline`
 * calls back; queries that fail for want of a network are answered from the graph (`cache-only`).
 *
 * @since 0.1.0
 * @category models
 */
export interface StorageAdapter {
  readonly readData: () => Promise<Record<string, string | undefined>>
  readonly writeData: (delta: Record<string, string | undefined>) => Promise<void>
  readonly readMetadata?: () => Promise<null | ReadonlyArray<SerializedRequest>>
  readonly writeMetadata?: (json: ReadonlyArray<SerializedRequest>) => void
  readonly onOnline?: (callback: () => void) => void
  readonly onCacheHydrated?: () => void
}

/**
 * Graphcache's configuration (`keys`, `resolvers`, `updates`, `optimistic`, `schema`) and
 * offline `storage` (a Cachet `Store`, or Graphcache's {@link StorageAdapter}).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Documents.Options {
  readonly storage?: Storage | StorageAdapter
  /**
   * Graphcache's `logger`: told at `debug` of each query the graph cannot answer, naming the first
   * root field it has no value for (`No value for field "todos" on entity "Query"`).
   */
  readonly logger?: (severity: "debug" | "info" | "warn" | "error", message: string) => void
  /** The graph's `cacheBufferSize` and `defaultLifetime` (see `EntityGraph.Options`). */
  readonly cacheBufferSize?: number
  readonly defaultLifetime?: number
}

/**
 * The exchange. Put it before `fetchExchange` (and before `ssrExchange` / `retryExchange`, as
 * Graphcache goes): `exchanges: [cachetExchange(config), fetchExchange]`.
 *
 * - Query results are written to the graph and delivered as read back from it (what the document
 *   selects), with `operation.context.meta.cacheOutcome` (`hit`, `miss`, `partial`) on every result.
 * - Queries whose data a write changed, or that read what a query result just wrote, are
 *   re-executed through `client.reexecuteOperation` (`cache-first`), with Graphcache's loop guard;
 *   partial results (`@_optional`, or nullable fields with a `schema`) come `stale` and refetch.
 * - Request policies: `cache-first` (cached data when complete, else the network),
 *   `cache-and-network` (cached data with `stale: true`, then the network's), `network-only`,
 *   `cache-only` (never the network).
 * - Mutations: optimistic results applied at once in a layer; queries reading what it changed do
 *   not refetch while it is open; the results of optimistic mutations are applied together once
 *   all have arrived, then the `updates` run; a mutation's result is read back (local resolvers).
 * - Documents sent on carry `__typename` in every selection.
 *
 * @example
 * ```ts
 * import { cachetExchange, relayPagination } from "@cachet/urql"
 * import { Client, fetchExchange, gql } from "@urql/core"
 *
 * const client = new Client({
 *   url: "http://localhost:3000/graphql",
 *   exchanges: [
 *     cachetExchange({
 *       keys: { Address: null }, // embedded: stored inside its parent
 *       resolvers: { Query: { feed: relayPagination() } } // pages merged in cursor order
 *     }),
 *     fetchExchange
 *   ]
 * })
 *
 * const TodoList = gql`query TodoList { todos { id text } }`
 * export const todos = client.query(TodoList, {}).toPromise().then((result) => result.data)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const cachetExchange = (config: Options = {}): Exchange => internal.make(config)

/**
 * Relay cursor pagination, as Graphcache's `relayPagination` (`resolvers: { Query: { todos: relayPagination() } }`).
 *
 * @since 0.1.0
 * @category resolvers
 */
export const relayPagination = Documents.relayPagination

/**
 * Offset pagination, as Graphcache's `simplePagination`.
 *
 * @since 0.1.0
 * @category resolvers
 */
export const simplePagination = Documents.simplePagination
