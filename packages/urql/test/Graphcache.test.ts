/**
 * cachetExchange behaving as Graphcache does at the exchange level: the exchange is driven
 * directly (operations in, results out) over a forward that answers from a table, so every
 * operation it sends on, re-executes through the client and delivers can be counted.
 */
import type { CachetExchange } from "@cachet/urql"
import { cachetExchange } from "@cachet/urql"
import { describe, expect, it } from "@effect/vitest"
import type { AnyVariables, DocumentInput, Exchange, ExchangeIO, Operation, OperationResult } from "@urql/core"
import { Client, CombinedError, createRequest, gql, stringifyDocument } from "@urql/core"
import { Deferred, Effect } from "effect"
import { filter, makeSubject, map, merge, onPush, pipe, subscribe } from "wonka"

type Answer = (operation: Operation) => { data: object | null; error?: CombinedError } | "later"

/** One exchange over a table of answers: operations are pushed in with `run`, results collected in `results`. */
const harness = (config: CachetExchange.Options, answer: Answer, after?: Exchange) => {
  const operations = makeSubject<Operation>()
  const late = makeSubject<OperationResult>()
  const sent: Array<Operation> = []
  const reexecuted: Array<Operation> = []
  const results: Array<OperationResult> = []
  const client = new Client({ url: "http://localhost/graphql", exchanges: [] })
  // the client hands re-executed operations back to the exchanges, as urql's does for active queries
  Object.assign(client, {
    reexecuteOperation: (operation: Operation) => {
      reexecuted.push(operation)
      operations.next(operation)
    }
  })
  const forward: ExchangeIO = (ops$) =>
    merge([
      pipe(
        ops$,
        onPush((operation) => void sent.push(operation)),
        filter((operation) => operation.kind !== "teardown"),
        map((operation) => ({ operation, answered: answer(operation) })),
        filter((x) => x.answered !== "later"),
        map(({ answered, operation }): OperationResult => {
          const { data, error } = answered as { data: object | null; error?: CombinedError }
          return { operation, data, ...(error === undefined ? {} : { error }), stale: false, hasNext: false }
        })
      ),
      late.source
    ])
  const exchange = cachetExchange(config)({ client, forward, dispatchDebug: () => {} })
  const io: ExchangeIO = after === undefined
    ? exchange
    : (ops$) => after({ client, forward: exchange, dispatchDebug: () => {} })(ops$)
  pipe(io(operations.source), subscribe((result) => void results.push(result)))
  const op = <V extends AnyVariables>(
    kind: "query" | "mutation",
    query: DocumentInput<unknown, V>,
    variables: V,
    requestPolicy: "cache-first" | "cache-and-network" | "cache-only" | "network-only" = "cache-first"
  ) => client.createRequestOperation(kind, createRequest(query, variables), { requestPolicy })
  /** Answers an operation that was told "later". */
  const respond = (operation: Operation, data: object, error?: CombinedError) =>
    late.next({ operation, data, ...(error === undefined ? {} : { error }), stale: false, hasNext: false })
  return { run: operations.next, respond, op, sent, reexecuted, results, client }
}

const outcome = (result: OperationResult | undefined) => result?.operation.context.meta?.cacheOutcome

const Viewer = gql`{ viewer { id name } }`
const viewer = { __typename: "Query", viewer: { __typename: "User", id: "u1", name: "Ada" } }
const Users = gql`{ users { id name } }`
const users = (name: string) => ({ __typename: "Query", users: [{ __typename: "User", id: "u1", name }] })

describe("cachetExchange as Graphcache: cacheOutcome", () => {
  it.effect("a network answer is a miss, the same query again a hit with the same data object", () =>
    Effect.sync(() => {
      const h = harness({}, () => ({ data: viewer }))
      const query = h.op("query", Viewer, {})
      h.run(query)
      h.run(query)
      expect(h.sent.length).toBe(1)
      expect(h.results.map(outcome)).toEqual(["miss", "hit"])
      expect(h.results[1]!.data).toBe(h.results[0]!.data)
    }))

  it.effect("cache-only with nothing cached answers null as a miss, without the network", () =>
    Effect.sync(() => {
      const h = harness({}, () => ({ data: viewer }))
      h.run(h.op("query", Viewer, {}, "cache-only"))
      expect(h.sent.length).toBe(0)
      expect(h.results[0]!.data).toBeNull()
      expect(outcome(h.results[0])).toBe("miss")
    }))

  it.effect("an exchange placed after cachetExchange (as urql's devtools are) sees cacheOutcome on every result", () =>
    Effect.sync(() => {
      const seen: Array<string | undefined> = []
      const devtools: Exchange = ({ forward }) => (ops$) =>
        pipe(forward(ops$), onPush((result) => void seen.push(result.operation.context.meta?.cacheOutcome)))
      const h = harness({}, (operation) => (operation.kind === "mutation"
        ? { data: { __typename: "Mutation", rename: { __typename: "User", id: "u1", name: "Grace" } } }
        : { data: viewer }), devtools)
      h.run(h.op("query", Viewer, {}))
      h.run(h.op("query", Viewer, {}, "cache-and-network"))
      h.run(h.op("query", Viewer, {}, "network-only"))
      h.run(h.op("mutation", gql`mutation { rename { id name } }`, {}))
      expect(seen.length).toBeGreaterThanOrEqual(5)
      expect(seen.every((value) => value === "hit" || value === "miss" || value === "partial")).toBe(true)
    }))

  it.effect("a logger is told at debug which root field a missed query lacks", () =>
    Effect.sync(() => {
      const messages: Array<string> = []
      const logger = (severity: string, message: string) => {
        if (severity === "debug") messages.push(message)
      }
      const h = harness({ logger }, () => "later")
      h.run(h.op("query", gql`query ($id: ID!) { user(id: $id) { id } }`, { id: "7" }))
      expect(messages).toEqual([`No value for field "user" with args {"id":"7"} on entity "Query"`])
    }))
})

describe("cachetExchange as Graphcache: dependent queries go through client.reexecuteOperation", () => {
  it.effect("a query result re-executes, cache-first, the other queries that read the same entities", () =>
    Effect.sync(() => {
      const usersKey = createRequest(Users, {}).key
      const h = harness({}, (operation) => ({ data: operation.key === usersKey ? users("Grace") : viewer }))
      const watched = h.op("query", Viewer, {})
      h.run(watched)
      h.run(h.op("query", Users, {}, "network-only"))
      expect(h.reexecuted.map((op) => [op.key, op.context.requestPolicy])).toEqual([[watched.key, "cache-first"]])
      const last = h.results.filter((r) => r.operation.key === watched.key).at(-1)!
      expect(last.data).toMatchObject({ viewer: { name: "Grace" } })
      expect(outcome(last)).toBe("hit")
    }))

  it.effect("a mutation re-executes the queries whose data it changed, and none when it changed nothing", () =>
    Effect.sync(() => {
      let name = "Ada"
      const h = harness({}, (operation) =>
        operation.kind === "mutation"
          ? { data: { __typename: "Mutation", rename: { __typename: "User", id: "u1", name } } }
          : { data: viewer })
      h.run(h.op("query", Viewer, {}))
      h.run(h.op("mutation", gql`mutation { rename { id name } }`, {}))
      expect(h.reexecuted.length).toBe(0)
      name = "Grace"
      h.run(h.op("mutation", gql`mutation { rename { id name } }`, {}))
      expect(h.reexecuted.length).toBe(1)
    }))

  it.effect("an updater's change to a query's data re-executes that query", () =>
    Effect.sync(() => {
      const Rename = gql`mutation { rename { ok } }`
      const h = harness(
        {
          updates: {
            Mutation: {
              rename: (_result, _args, cache) =>
                cache.writeFragment(gql`fragment _ on User { id name }`, { id: "u1", name: "Grace" })
            }
          }
        },
        (operation) =>
          operation.kind === "mutation"
            ? { data: { __typename: "Mutation", rename: { __typename: "Done", ok: true } } }
            : { data: { ...viewer, viewer: { ...viewer.viewer, __typename: "User" } } }
      )
      h.run(h.op("query", Viewer, {}))
      h.run(h.op("mutation", Rename, {}))
      expect(h.reexecuted.length).toBe(1)
      expect(h.results.at(-2)!.data).toMatchObject({ viewer: { name: "Grace" } })
    }))
})

describe("cachetExchange as Graphcache: client-controlled nullability", () => {
  const Todos = gql`{ todos { id title done @_optional } }`
  const todos = { __typename: "Query", todos: [{ __typename: "Todo", id: "t1", title: "write" }] }

  it.effect("@_optional: a field the server left out reads as null, a partial result, and is not sent on", () =>
    Effect.sync(() => {
      const h = harness({}, () => ({ data: todos }))
      h.run(h.op("query", Todos, {}))
      expect(h.results[0]!.data).toEqual({ todos: [{ id: "t1", title: "write", done: null }] })
      expect(stringifyDocument(h.sent[0]!.query)).not.toContain("_optional")
      h.run(h.op("query", Todos, {}, "cache-only"))
      expect(outcome(h.results[1])).toBe("partial")
    }))

  it.effect("@_optional on an inline fragment applies to its fields; @_required inside it wins", () =>
    Effect.sync(() => {
      const h = harness({}, () => ({ data: todos }))
      h.run(h.op("query", gql`{ todos { id ... @_optional { title done } } }`, {}))
      expect(h.results[0]!.data).toEqual({ todos: [{ id: "t1", title: "write", done: null }] })
      h.run(h.op("query", gql`{ todos { id ... on Todo @_optional { title done @_required } } }`, {}, "cache-only"))
      expect(h.results[1]!.data).toBeNull()
    }))

  it.effect("@_required: a missing or null field makes the whole result null", () =>
    Effect.sync(() => {
      const h = harness({}, () => ({ data: { ...todos, todos: [{ ...todos.todos[0], done: null }] } }))
      h.run(h.op("query", gql`{ todos { id title done @_required } }`, {}))
      expect(h.results[0]!.data).toBeNull()
    }))
})

describe("cachetExchange as Graphcache: optimistic mutations", () => {
  const Rename = gql`mutation { rename { id name } }`
  const optimistic = {
    rename: (args: { readonly to?: unknown }) => ({ __typename: "User", id: "u1", name: `(saving ${args.to ?? ""})` })
  }
  const renamed = { data: { __typename: "Mutation", rename: { __typename: "User", id: "u1", name: "Grace" } } }

  it.effect("the optimistic result re-executes the query at once; results wait until every optimistic mutation has one", () =>
    Effect.sync(() => {
      const h = harness({ optimistic }, (operation) => (operation.kind === "mutation" ? "later" : { data: viewer }))
      h.run(h.op("query", Viewer, {}))
      const RenameTo = gql`mutation ($to: String) { rename(to: $to) { id name } }`
      const first = h.op("mutation", RenameTo, { to: "A" })
      const second = h.op("mutation", RenameTo, { to: "B" })
      h.run(first)
      expect(h.reexecuted.length).toBe(1)
      expect(h.results.at(-1)!.data).toMatchObject({ viewer: { name: "(saving A)" } })
      h.run(second)
      h.respond(first, renamed.data)
      expect(h.results.filter((r) => r.operation.kind === "mutation").length).toBe(0)
      h.respond(second, renamed.data)
      expect(h.results.filter((r) => r.operation.kind === "mutation").length).toBe(2)
      expect(h.results.filter((r) => r.operation.kind === "query").at(-1)!.data).toMatchObject({
        viewer: { name: "Grace" }
      })
    }))

  it.effect("a cache-and-network query does not refetch while an optimistic layer covers its data", () =>
    Effect.sync(() => {
      const h = harness({ optimistic }, (operation) => (operation.kind === "mutation" ? "later" : { data: viewer }))
      const query = h.op("query", Viewer, {}, "cache-and-network")
      h.run(query)
      h.run(h.op("mutation", Rename, {}))
      const before = h.sent.filter((op) => op.kind === "query").length
      h.run(query)
      expect(h.sent.filter((op) => op.kind === "query").length).toBe(before)
      expect(h.results.at(-1)!.stale).toBe(true)
    }))

  it.effect("a failed mutation's optimistic layer is cleared and the query re-executed", () =>
    Effect.sync(() => {
      const h = harness({ optimistic }, (operation) => (operation.kind === "mutation" ? "later" : { data: viewer }))
      h.run(h.op("query", Viewer, {}))
      const mutation = h.op("mutation", Rename, {})
      h.run(mutation)
      h.respond(mutation, { __typename: "Mutation", rename: null }, new CombinedError({ networkError: new Error("x") }))
      expect(h.reexecuted.length).toBe(2)
      expect(h.results.filter((r) => r.operation.kind === "query").at(-1)!.data).toMatchObject({
        viewer: { name: "Ada" }
      })
    }))

  it.effect("updaters: no optimistic phase without an optimistic function; every variable reaches them", () =>
    Effect.sync(() => {
      const calls: Array<{ optimistic: boolean; variables: object }> = []
      const h = harness(
        {
          updates: { Mutation: { rename: (_r, _a, _c, info) => void calls.push(info) } }
        },
        (operation) => (operation.kind === "mutation" ? "later" : { data: viewer })
      )
      const mutation = h.op("mutation", gql`mutation ($to: String) { rename(to: $to) { id name } }`, {
        to: "Grace",
        traceId: "extra"
      })
      h.run(mutation)
      expect(calls.length).toBe(0)
      expect(h.sent[0]!.variables).toEqual({ to: "Grace" })
      h.respond(mutation, renamed.data)
      expect(calls.map((c) => [c.optimistic, c.variables])).toEqual([[false, { to: "Grace", traceId: "extra" }]])
    }))

  it.effect("a mutation's result is read back through the graph: local resolvers apply, unselected fields do not show", () =>
    Effect.sync(() => {
      const h = harness(
        { resolvers: { User: { name: (parent) => String(parent.name).toUpperCase() } } },
        () => renamed
      )
      h.run(h.op("mutation", Rename, {}))
      expect(h.results[0]!.data).toEqual({ rename: { id: "u1", name: "GRACE" } })
    }))
})

describe("cachetExchange as Graphcache: partial results and loops", () => {
  const schema = {
    __schema: {
      queryType: { name: "Query" },
      mutationType: null,
      subscriptionType: null,
      types: [
        {
          kind: "OBJECT",
          name: "Query",
          fields: [{ name: "viewer", args: [], type: { kind: "OBJECT", name: "User", ofType: null } }],
          interfaces: []
        },
        {
          kind: "OBJECT",
          name: "User",
          fields: [
            { name: "id", args: [], type: { kind: "NON_NULL", name: null, ofType: { kind: "SCALAR", name: "ID" } } },
            { name: "name", args: [], type: { kind: "SCALAR", name: "String", ofType: null } },
            { name: "bio", args: [], type: { kind: "SCALAR", name: "String", ofType: null } }
          ],
          interfaces: []
        }
      ]
    }
  } as unknown as NonNullable<CachetExchange.Options["schema"]>

  it.effect("with a schema, a partial result is delivered stale, marked partial, and refetched network-only", () =>
    Effect.sync(() => {
      const h = harness(
        { schema },
        (operation) => (operation.context.requestPolicy === "network-only" ? "later" : { data: viewer })
      )
      h.run(h.op("query", Viewer, {}))
      const withBio = h.op("query", gql`{ viewer { id name bio } }`, {})
      h.run(withBio)
      const last = h.results.at(-1)!
      expect(last.data).toEqual({ viewer: { id: "u1", name: "Ada", bio: null } })
      expect(last.stale).toBe(true)
      expect(outcome(last)).toBe("partial")
      expect(h.reexecuted.map((op) => [op.key, op.context.requestPolicy])).toEqual([[withBio.key, "network-only"]])
    }))

  it.effect("a partial query re-executed by another query's result is not refetched again, but is marked stale", () =>
    Effect.sync(() => {
      const Extended = gql`{ viewer { id extra @_optional } }`
      const h = harness({}, () => "later")
      const plain = h.op("query", Viewer, {})
      h.run(plain)
      h.respond(plain, viewer)
      const extended = h.op("query", Extended, {})
      h.run(extended)
      expect(h.reexecuted.length).toBe(1)
      h.respond(plain, viewer)
      const refetches = h.reexecuted.filter((op) => op.context.requestPolicy === "network-only").length
      h.run(extended)
      expect(h.reexecuted.filter((op) => op.context.requestPolicy === "network-only").length).toBe(refetches)
      expect(h.results.at(-1)!.stale).toBe(true)
    }))
})

describe("cachetExchange as Graphcache: commutativity", () => {
  const named = (name: string) => ({ __typename: "Query", viewer: { __typename: "User", id: "u1", name } })

  it.effect("results are applied in the order their queries were sent, whatever order they arrive in", () =>
    Effect.sync(() => {
      const h = harness({}, () => "later")
      const older = h.op("query", Viewer, {}, "network-only")
      const newer = h.op("query", gql`{ viewer { name id } }`, {}, "network-only")
      h.run(older)
      h.run(newer)
      h.respond(newer, named("newer"))
      h.respond(older, named("older"))
      // the older answer came last but lies under the newer one
      expect(h.results.at(-1)!.data).toMatchObject({ viewer: { name: "newer" } })
      h.run(h.op("query", Viewer, {}, "cache-only"))
      expect(h.results.at(-1)!.data).toMatchObject({ viewer: { name: "newer" } })
    }))

  it.effect("a torn-down query's late answer still lands in its place; a mutation's result goes above pending ones", () =>
    Effect.sync(() => {
      const h = harness({}, () => "later")
      const first = h.op("query", Viewer, {}, "network-only")
      const second = h.op("query", gql`{ viewer { name id } }`, {}, "network-only")
      const mutation = h.op("mutation", gql`mutation { rename { id name } }`, {})
      h.run(first)
      h.run(mutation)
      h.run(second)
      h.run({ ...second, kind: "teardown" })
      h.respond(mutation, { __typename: "Mutation", rename: { __typename: "User", id: "u1", name: "renamed" } })
      h.respond(second, named("second"))
      h.respond(first, named("first"))
      h.run(h.op("query", Viewer, {}, "cache-only"))
      expect(h.results.at(-1)!.data).toMatchObject({ viewer: { name: "renamed" } })
    }))
})

describe("cachetExchange as Graphcache: @defer", () => {
  it.effect("fields under @defer are left out until their part arrives; a query waiting on them is then complete", () =>
    Effect.sync(() => {
      const h = harness({}, () => "later")
      const Both = gql`{ viewer { id name } ... @defer { settings { id theme } } }`
      const Settings = gql`{ ... @defer { settings { id theme } } }`
      const both = h.op("query", Both, {})
      const settings = h.op("query", Settings, {}, "network-only")
      h.run(both)
      h.run(settings)
      h.respond(both, viewer)
      // the deferred part has not come: the data has what there is, and no settings key at all
      const partial = h.results.at(-1)!
      expect(partial.data).toEqual({ viewer: { id: "u1", name: "Ada" } })
      h.respond(settings, { __typename: "Query", settings: { __typename: "Settings", id: "s", theme: "dark" } })
      const done = h.results.filter((r) => r.operation.key === both.key).at(-1)!
      expect(done.data).toEqual({ viewer: { id: "u1", name: "Ada" }, settings: { id: "s", theme: "dark" } })
      expect(outcome(done)).toBe("hit")
    }))
})

describe("cachetExchange as Graphcache's offlineExchange (a StorageAdapter as storage)", () => {
  /** Graphcache's adapter over memory; `hydrated` and `saved` complete when the exchange has read and written it. */
  const memoryAdapter = (
    data: Record<string, string | undefined> = {},
    metadata: ReadonlyArray<CachetExchange.SerializedRequest> = []
  ) =>
    Effect.gen(function*() {
      const hydrated = yield* Deferred.make<void>()
      const saved = yield* Deferred.make<void>()
      const state = { metadata, online: undefined as (() => void) | undefined }
      const adapter: CachetExchange.StorageAdapter = {
        readData: async () => ({ ...data }),
        writeData: async (delta) => {
          Object.assign(data, delta)
          Deferred.unsafeDone(saved, Effect.void)
        },
        readMetadata: async () => state.metadata,
        writeMetadata: (json) => void (state.metadata = json),
        onOnline: (callback) => void (state.online = callback),
        onCacheHydrated: () => Deferred.unsafeDone(hydrated, Effect.void)
      }
      return { adapter, data, state, hydrated: Deferred.await(hydrated), saved: Deferred.await(saved) }
    })
  const offline = new CombinedError({ networkError: new Error("Failed to fetch") })

  it.effect("the graph is saved with writeData, and an exchange over the same data answers from it", () =>
    Effect.gen(function*() {
      const first = yield* memoryAdapter()
      const h = harness({ storage: first.adapter }, () => ({ data: viewer }))
      yield* first.hydrated
      h.run(h.op("query", Viewer, {}))
      yield* first.saved
      const second = yield* memoryAdapter(first.data)
      const again = harness({ storage: second.adapter }, () => "later")
      again.run(again.op("query", Viewer, {}, "cache-only"))
      yield* second.hydrated
      expect(again.results[0]!.data).toEqual({ viewer: { id: "u1", name: "Ada" } })
      expect(again.sent.length).toBe(0)
    }))

  it.effect("an optimistic mutation that fails offline keeps its result, is queued, and is sent again when online", () =>
    Effect.gen(function*() {
      const storage = yield* memoryAdapter()
      let online = false
      const h = harness(
        {
          storage: storage.adapter,
          optimistic: { rename: () => ({ __typename: "User", id: "u1", name: "(saving)" }) }
        },
        (operation) =>
          operation.kind === "query"
            ? { data: viewer }
            : online
            ? { data: { __typename: "Mutation", rename: { __typename: "User", id: "u1", name: "Grace" } } }
            : { data: null, error: offline }
      )
      yield* storage.hydrated
      h.run(h.op("query", Viewer, {}))
      h.run(h.op("mutation", gql`mutation { rename { id name } }`, {}))
      expect(h.results.filter((r) => r.operation.kind === "mutation").length).toBe(0)
      expect(h.results.at(-1)!.data).toMatchObject({ viewer: { name: "(saving)" } })
      expect(storage.state.metadata.map((r) => r.query)).toEqual([expect.stringContaining("rename")])
      online = true
      storage.state.online!()
      expect(storage.state.metadata).toEqual([])
      const mutations = h.results.filter((r) => r.operation.kind === "mutation")
      expect(mutations.map((r) => r.data)).toEqual([{ rename: { id: "u1", name: "Grace" } }])
      expect(h.results.filter((r) => r.operation.kind === "query").at(-1)!.data).toMatchObject({
        viewer: { name: "Grace" }
      })
    }))

  it.effect("a query that fails offline is answered from the graph (cache-only), without the error", () =>
    Effect.gen(function*() {
      const storage = yield* memoryAdapter()
      let online = true
      const h = harness(
        { storage: storage.adapter },
        () => (online ? { data: viewer } : { data: null, error: offline })
      )
      yield* storage.hydrated
      h.run(h.op("query", Viewer, {}))
      online = false
      h.run(h.op("query", Viewer, {}, "network-only"))
      expect(h.reexecuted.at(-1)!.context.requestPolicy).toBe("cache-only")
      expect(h.results.at(-1)!.error).toBeUndefined()
      expect(h.results.at(-1)!.data).toEqual({ viewer: { id: "u1", name: "Ada" } })
    }))

  it.effect("before each save gc drops the entities no root field reaches any more, and keeps every root field", () =>
    Effect.gen(function*() {
      const storage = yield* memoryAdapter()
      let list = [{ __typename: "User", id: "u1", name: "Ada" }, { __typename: "User", id: "u2", name: "Zed" }]
      const h = harness(
        { storage: storage.adapter },
        (operation) =>
          operation.key === createRequest(Users, {}).key
            ? { data: { __typename: "Query", users: list } }
            : { data: viewer }
      )
      yield* storage.hydrated
      h.run(h.op("query", Viewer, {}))
      h.run(h.op("query", Users, {}, "network-only"))
      yield* storage.saved
      expect(Object.values(storage.data).join()).toContain("Zed")
      list = [list[0]!]
      const again = yield* Deferred.make<void>()
      const adapter = storage.adapter
      Object.assign(adapter, {
        writeData: async (delta: Record<string, string | undefined>) => {
          Object.assign(storage.data, delta)
          Deferred.unsafeDone(again, Effect.void)
        }
      })
      h.run(h.op("query", Users, {}, "network-only"))
      yield* Deferred.await(again)
      const saved = Object.values(storage.data).join()
      expect(saved).not.toContain("Zed")
      expect(saved).toContain("Ada")
    }))

  it.effect("mutations queued in the stored metadata are sent once the graph is restored", () =>
    Effect.gen(function*() {
      const storage = yield* memoryAdapter({}, [{ query: "mutation { rename { id name } }", variables: {} }])
      const replayed = yield* Deferred.make<Operation>()
      const h = harness({ storage: storage.adapter }, (operation) => {
        if (operation.kind === "mutation") Deferred.unsafeDone(replayed, Effect.succeed(operation))
        return "later"
      })
      const mutation = yield* Deferred.await(replayed)
      expect(stringifyDocument(mutation.query)).toContain("rename")
      expect(h.sent.filter((op) => op.kind === "mutation").length).toBe(1)
    }))
})
