/**
 * What `execute` requires is what the schema's resolvers need (declared with
 * `GraphQLCache.typed`), and what a failing resolver sends a client carries no server internals:
 * no message of a non-GraphQL error, no source file path, no stack.
 */
import { Cache, MemoryStore } from "@cachet/core"
import { HttpClient, HttpClientRequest, type HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, LogLevel } from "effect"
import type { ExecutionResult } from "graphql"
import { buildSchema, GraphQLError } from "graphql"

import { GraphQLCache, GraphQLHttp } from "../src/index.js"

class Greeter extends Context.Tag("test/Greeter")<Greeter, { readonly greet: (name: string) => string }>() {}

/** One field per way a resolver can fail, and one that needs `Greeter`. */
const makeSchema = () => {
  const schema = buildSchema(`type Query { greeting: String, thrown: String, failed: String, refused: String }`)
  const fields = schema.getQueryType()!.getFields()
  fields["greeting"]!.resolve = () => Effect.map(Greeter, (greeter) => greeter.greet("a"))
  fields["thrown"]!.resolve = () => {
    throw new Error(`cannot open ${import.meta.filename}`)
  }
  fields["failed"]!.resolve = () => Effect.fail(new Error(`query failed at ${import.meta.dirname}/db.sqlite`))
  fields["refused"]!.resolve = () => Effect.fail(new GraphQLError("not allowed", { extensions: { code: "FORBIDDEN" } }))
  return schema
}

const CacheLive = Cache.layer().pipe(Layer.provide(MemoryStore.layer()))
const quiet = Logger.minimumLogLevel(LogLevel.None)

/** Nothing of the server's own in a client's view of the result. */
const expectNoInternals = (text: string) => {
  expect(text).not.toContain(import.meta.dirname)
  expect(text).not.toMatch(/\.ts\b|\.js:\d|\bat [\w.<>]+ \(/)
  expect(text).not.toContain("Service not found")
}

describe("GraphQLCache.execute: requirements", () => {
  it.effect("a resolver needing a service nobody provided: Internal server error, no path, logged", () =>
    Effect.gen(function*() {
      const logged: Array<unknown> = []
      const logger = Logger.make(({ message }) => logged.push(message))
      // The schema's declared requirements are wrong (`never`): the type system is told a lie.
      const result = yield* GraphQLCache.execute({ schema: GraphQLCache.typed(makeSchema()), source: `{ greeting }` })
        .pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(result.data).toEqual({ greeting: null })
      expect(result.errors?.map((error) => error.toJSON())).toEqual([{
        message: "Internal server error",
        locations: [{ line: 1, column: 3 }],
        path: ["greeting"],
        extensions: { code: "INTERNAL_SERVER_ERROR" }
      }])
      expectNoInternals(JSON.stringify(result))
      // The operator still sees what happened.
      expect(JSON.stringify(logged)).toContain("greeting failed")
    }).pipe(Effect.provide(CacheLive)))

  it.effect("with the service declared and provided the resolver runs", () =>
    Effect.gen(function*() {
      const schema = GraphQLCache.typed<Greeter>(makeSchema())
      const result = yield* GraphQLCache.execute({ schema, source: `{ greeting }` }).pipe(
        Effect.provideService(Greeter, { greet: (name) => `hello ${name}` })
      )
      expect(result).toEqual({ data: { greeting: "hello a" } })
    }).pipe(Effect.provide(CacheLive)))

  it.effect("thrown and failed errors are masked; a GraphQLError reaches the client as it is", () =>
    Effect.gen(function*() {
      const result = yield* GraphQLCache.execute({
        schema: GraphQLCache.typed(makeSchema()),
        source: `{ thrown failed refused }`
      })
      expect(result.errors?.map((error) => [error.path, error.message, error.extensions["code"]])).toEqual([
        [["thrown"], "Internal server error", "INTERNAL_SERVER_ERROR"],
        [["failed"], "Internal server error", "INTERNAL_SERVER_ERROR"],
        [["refused"], "not allowed", "FORBIDDEN"]
      ])
      expectNoInternals(JSON.stringify(result))
    }).pipe(Effect.provide(Layer.merge(CacheLive, quiet))))
})

describe("GraphQLHttp: no internals in responses", () => {
  const ServerLive = HttpServer.serve(GraphQLHttp.router({ schema: GraphQLCache.typed(makeSchema()) })).pipe(
    Layer.provide(Layer.merge(CacheLive, quiet)),
    Layer.provideMerge(NodeHttpServer.layerTest)
  )
  it.layer(ServerLive)((it) => {
    it.effect("a missing service and a thrown error answer without paths or stacks", () =>
      Effect.gen(function*() {
        const response = yield* HttpClient.execute(
          HttpClientRequest.post("/graphql").pipe(
            HttpClientRequest.bodyText(JSON.stringify({ query: `{ greeting thrown }` }), "application/json")
          )
        )
        const text = yield* response.text
        expect((JSON.parse(text) as ExecutionResult).errors?.map((error) => error.message)).toEqual([
          "Internal server error",
          "Internal server error"
        ])
        expectNoInternals(text)
      }))
  })
})

/** Compile-time checks (`tsc` type-checks the tests); never called. */
export const typeChecks = (schema: ReturnType<typeof makeSchema>) => {
  // @ts-expect-error a plain GraphQLSchema does not say what its resolvers need
  const plain = GraphQLCache.execute({ schema, source: `{ greeting }` })
  // @ts-expect-error the schema's services are required: running it without Greeter does not compile
  const unprovided: Effect.Effect<unknown, never, Cache.Cache> = GraphQLCache.execute({
    schema: GraphQLCache.typed<Greeter>(schema),
    source: `{ greeting }`
  })
  const provided: Effect.Effect<unknown, never, Cache.Cache> = GraphQLCache.execute({
    schema: GraphQLCache.typed<Greeter>(schema),
    source: `{ greeting }`
  }).pipe(Effect.provideService(Greeter, { greet: (name) => name }))
  // @ts-expect-error so does serving it over HTTP
  const served: HttpRouter.HttpRouter<never, Cache.Cache> = GraphQLHttp.router({
    schema: GraphQLCache.typed<Greeter>(schema)
  })
  return [plain, unprovided, provided, served]
}
