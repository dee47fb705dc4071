/**
 * The blog's tag tree `users/<id>/{profile,postList,posts/<id>/comments/<id>}` and `feed` (what
 * the cached endpoints are tagged with: `CachedEndpoints`), and the invalidation the writes run.
 *
 * Invalidating a tag also invalidates every entry tagged below it, so `users/<id>` (a deleted
 * user) covers their profile, lists and posts wherever they are shown.
 *
 * @since 0.1.0
 */
import { Cache, Tag } from "@cachet/core"
import { Context, Effect, Layer, Schedule } from "effect"

import { withGraphTags } from "./GraphQL/Tags.js"

/**
 * The tag tree.
 *
 * @since 0.1.0
 * @category tags
 */
export const tagSchema = Tag.at("users", () =>
  Tag.wild
    .at("profile")
    .at("postList")
    .at("posts", () => Tag.wild.at("comments", () => Tag.wild))).at("feed")

/**
 * The typed tag builders: `tags.users("1").posts("7").comments`.
 *
 * @since 0.1.0
 * @category tags
 */
export const tags = Tag.builders(tagSchema)

/**
 * The invalidation the writes run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Hard invalidation of tags and their descendants. */
  readonly invalidate: Cache.Service["invalidate"]
}

/**
 * The blog's invalidation (what the writes use of the cache).
 *
 * @since 0.1.0
 * @category services
 */
export class BlogCache extends Context.Tag("Blog/BlogCache")<BlogCache, Service>() {
  /**
   * @since 0.1.0
   */
  static readonly Default: Layer.Layer<BlogCache, never, Cache.Cache> = Layer.effect(
    BlogCache,
    Effect.map(Cache.Cache, (cache): Service => ({ invalidate: cache.invalidate }))
  )
}

/**
 * Invalidates tags after a write has committed. A store that keeps failing does not fail the
 * write (it happened): the failure is logged, and the entries age out with their ttl.
 *
 * @since 0.1.0
 * @category combinators
 */
export const invalidate = (input: Tag.Input): Effect.Effect<void, never, BlogCache> =>
  Effect.flatMap(BlogCache, (blog) =>
    blog.invalidate(withGraphTags(input)).pipe(
      Effect.retry(Schedule.exponential("20 millis").pipe(Schedule.intersect(Schedule.recurs(3)))),
      Effect.tap(() =>
        Effect.logDebug("invalidated").pipe(Effect.annotateLogs("tags", Tag.normalize(input).join(" ")))
      ),
      Effect.catchAll((error) =>
        Effect.logError("cache invalidation failed after the write; entries will age out").pipe(
          Effect.annotateLogs({ tags: Tag.normalize(input).join(" "), error: error.message })
        )
      )
    ))
