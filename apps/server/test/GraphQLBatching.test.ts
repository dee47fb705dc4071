/**
 * The GraphQL resolvers read through batched `RequestResolver`s: a page of posts with their
 * authors, comments and comment authors costs one SQL query per level, and a repeat served by
 * the fragment cache runs only the page query. Statements are counted from `@effect/sql`'s
 * spans through a recording tracer.
 */
import { GraphQLCache } from "@cachet/graphql"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Tracer } from "effect"

import { Comments } from "../src/Comments.js"
import { GraphQLCacheLive } from "../src/GraphQL/Http.js"
import { Loaders } from "../src/GraphQL/Loaders.js"
import { schema } from "../src/GraphQL/Schema.js"
import { ServicesLive } from "../src/Http.js"
import { Posts } from "../src/Posts.js"
import { PostsRepo } from "../src/Posts/Repo.js"
import { Users } from "../src/Users.js"
import { testEnv } from "./harness.js"

const statements: Array<Tracer.Span> = []
const native = Effect.runSync(Effect.tracer)
const recording = Tracer.make({
  span: (...args) => {
    const span = native.span(...args)
    if (args[0] === "sql.execute") statements.push(span)
    return span
  },
  context: native.context
})

const env = testEnv({
  CACHET_STORE: "memory",
  CACHET_SEED_USERS: "10",
  CACHET_SEED_POSTS: "40",
  CACHET_SEED_COMMENTS: "120"
})

const AppLive = Layer.mergeAll(
  Users.Default,
  Posts.Default,
  Comments.Default,
  Loaders.Default,
  PostsRepo.Default,
  GraphQLCacheLive
).pipe(
  Layer.provideMerge(ServicesLive),
  Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
)

const texts = () => statements.map((span) => String(span.attributes.get("db.query.text") ?? ""))

const query = `{ posts(first: 20) { edges { node { title author { name } comments { body author { name } } } } } }`

describe("GraphQL batching", () => {
  it.effect("one SQL query per level, none below a cached fragment", () =>
    Effect.gen(function*() {
      statements.length = 0
      const first = yield* GraphQLCache.execute({ schema, source: query })
      expect(first.errors).toBeUndefined()
      const firstTexts = texts()
      expect(firstTexts.filter((text) => text.includes("FROM posts"))).toHaveLength(1)
      expect(firstTexts.filter((text) => text.includes("FROM comments"))).toHaveLength(1)
      // Post authors, then comment authors: two levels, two queries.
      expect(firstTexts.filter((text) => text.includes("FROM users"))).toHaveLength(2)
      statements.length = 0
      const second = yield* GraphQLCache.execute({ schema, source: query })
      expect(second.data).toEqual(first.data)
      expect(texts()).toHaveLength(1)
      expect(texts()[0]).toContain("FROM posts")
    }).pipe(Effect.provide(AppLive), Effect.withTracer(recording)))
})
