/**
 * The blog's cached endpoints, declared once against its `HttpApi` (`@cachet/http`'s
 * `HttpApiCache`): each `GET` below is answered ahead of the whole API from its stored response
 * (`ETag`/`304`, `Age`, `X-Cache`, `Cache-Control`), and on a miss the API answers and its
 * response is stored, tagged from the decoded request and outcome. The routes, the parameters
 * and the value's schema are the API's own; caching another endpoint is one more entry here.
 *
 * Tags (the tree of `BlogCache.tags`; each entry carries the narrowest tags that cover what it shows):
 *
 * | read | tags |
 * | --- | --- |
 * | `GET /users/:id` | `users/<id>/profile` |
 * | `GET /users/:id/posts` | `users/<id>/postList`, `users/<id>/posts/<pid>` of each post listed |
 * | `GET /posts/:id` | `users/<author>/posts/<id>/comments`, `users/<author>/profile` (a 404: `feed`) |
 * | `GET /posts` (first page) | `feed`, `users/<uid>/posts/<pid>` of each post listed |
 * | `GET /posts?cursor=` | `users/<uid>/posts/<pid>` of each post listed (older pages only change when a listed post
 * does) |
 *
 * @since 0.1.0
 */
import { Key } from "@cachet/core"
import { HttpApiCache } from "@cachet/http"
import { Effect, Exit } from "effect"

import { Api } from "./Api.js"
import { tags } from "./BlogCache.js"
import * as AppConfig from "./Config.js"
import type { PostSummary } from "./Domain/Post.js"
import { defaultLimit } from "./Posts.js"

const postTags = (items: ReadonlyArray<PostSummary>) => items.map((post) => tags.users(post.userId).posts(post.id))

/**
 * The middleware that answers the cached endpoints ahead of the API (wrap `HttpApiBuilder.httpApp` with it).
 *
 * @since 0.1.0
 * @category middleware
 */
export const middleware = Effect.map(AppConfig.cache, ({ grace, ttl }) =>
  HttpApiCache.middleware(Api)({
    users: {
      getUser: {
        ttl,
        grace,
        key: ({ path }) => `user:${path.id}`,
        tags: ({ path }) => tags.users(path.id).profile
      },
      getUserPosts: {
        ttl,
        grace,
        key: ({ path }) => `userPosts:${path.id}`,
        tags: ({ path }, exit) =>
          Exit.isSuccess(exit) ? [tags.users(path.id).postList, ...postTags(exit.value)] : tags.users(path.id).profile
      }
    },
    posts: {
      getPost: {
        ttl,
        grace,
        key: ({ path }) => `post:${path.id}`,
        // A post id not taken yet may be taken by the next new post, which invalidates `feed`.
        tags: ({ path }, exit) =>
          Exit.isSuccess(exit)
            ? [tags.users(exit.value.userId).posts(path.id).comments, tags.users(exit.value.userId).profile]
            : tags.feed
      },
      listPosts: {
        ttl,
        grace,
        key: ({ urlParams }) =>
          `feed:${Key.canonical({ limit: urlParams.limit ?? defaultLimit, cursor: urlParams.cursor ?? null })}`,
        tags: ({ urlParams }, exit) => [
          ...(urlParams.cursor === undefined ? [tags.feed] : []),
          ...(Exit.isSuccess(exit) ? postTags(exit.value.items) : [])
        ]
      }
    }
  }))
