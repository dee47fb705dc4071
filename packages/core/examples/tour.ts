/**
 * docs/getting-started.md's five-minute program, runnable: compose layers, define a QueryCache,
 * read through it, invalidate a tag.
 */
import { Cache, MemoryStore, QueryCache, Tag } from "@cachet/core"
import { Effect, Layer, Schema } from "effect"

class User extends Schema.Class<User>("User")({ id: Schema.String, name: Schema.String }) {}
class Post extends Schema.Class<Post>("Post")({ id: Schema.String, title: Schema.String }) {}

// 1. Layers: a cache over an in-memory store (swap in SqliteStore, RedisStore, ...).
const CacheLive = Cache.layer({ namespace: "blog", ttl: "5 minutes", grace: "1 minute" }).pipe(
  Layer.provide(MemoryStore.layer({ maxEntries: 10_000 }))
)

// 2. A stand-in database that says when it is called.
const db = {
  findUser: (id: string) => Effect.as(Effect.log(`db: SELECT user ${id}`), new User({ id, name: `User ${id}` })),
  findPost: (userId: string, postId: string) =>
    Effect.as(
      Effect.log(`db: SELECT post ${postId} of user ${userId}`),
      new Post({ id: postId, title: `Post ${postId}` })
    )
}

// 3. The tag hierarchy and the queries.
const hierarchy = Tag.at("users", () => Tag.wild.at("posts", () => Tag.wild.at("comments", () => Tag.wild)))

const makeBlog = QueryCache.make({
  hierarchy,
  queries: (tags) => ({
    getUser: QueryCache.query({
      args: Schema.Struct({ id: Schema.String }),
      success: User,
      tags: ({ id }) => [tags.users(id)],
      lookup: ({ id }) => db.findUser(id)
    }),
    getPost: QueryCache.query({
      args: Schema.Struct({ userId: Schema.String, postId: Schema.String }),
      success: Post,
      tags: ({ postId, userId }) => [tags.users(userId).posts(postId)],
      lookup: ({ postId, userId }) => db.findPost(userId, postId)
    })
  })
})

const program = Effect.gen(function*() {
  const blog = yield* makeBlog
  yield* blog.getUser({ id: "123" }) // miss: the lookup runs
  yield* blog.getUser({ id: "123" }) // hit: no lookup
  yield* blog.getPost({ userId: "123", postId: "p1" })
  yield* blog.invalidate(blog.tags.users("123")) // the user, their posts and comments go stale
  yield* blog.getPost({ userId: "123", postId: "p1" }) // refetched
  const cache = yield* Cache.Cache
  const stats = yield* cache.stats
  yield* Effect.log(`hits=${stats.hits} misses=${stats.misses} invalidations=${stats.invalidations}`)
})

program.pipe(Effect.provide(CacheLive), Effect.runPromise)
