/**
 * The blog's cache as its writes use it: the app's one tag vocabulary (`Tags.ts`, shared with the
 * GraphQL fragments; what the cached endpoints are tagged with: `CachedEndpoints`), and the
 * invalidation the writes run.
 *
 * Invalidating a tag also invalidates every entry tagged below it, so `User/<id>` (a deleted
 * user) covers their profile and lists wherever they are shown.
 *
 * @since 0.1.0
 */
import { Cache, Tag } from "@cachet/core"
import { Context, Effect, Layer } from "effect"

/**
 * The app's tag builders (`Tags.ts`), for the writes' invalidation.
 *
 * @since 0.1.0
 * @category tags
 */
export { tags } from "./Tags.js"

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
 * Invalidates tags after a write has committed. It cannot fail: an invalidation the store does
 * not take is deferred and replayed by the cache (see `Cache.Service.invalidate`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const invalidate = (input: Tag.Input): Effect.Effect<void, never, BlogCache> =>
  Effect.flatMap(BlogCache, (blog) =>
    blog.invalidate(input).pipe(
      Effect.tap(() => Effect.logDebug("invalidated").pipe(Effect.annotateLogs("tags", Tag.normalize(input).join(" "))))
    ))
