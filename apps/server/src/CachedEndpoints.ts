/**
 * The blog's cached endpoints, declared once against its `HttpApi` (`@cachet/http`'s
 * `HttpApiCache`): each `GET` below is answered ahead of the whole API from its stored response
 * (`ETag`/`304`, `Age`, `X-Cache`, `Cache-Control`), and on a miss the API answers and its
 * response is stored, tagged from the decoded request and outcome. The routes, the parameters
 * and the value's schema are the API's own; caching another endpoint is one more entry here.
 *
 * Tags (the app's one vocabulary, `Tags.ts`, shared with the GraphQL fragments; each entry carries
 * the narrowest tags that cover what it shows):
 *
 * | read | tags |
 * | --- | --- |
 * | `GET /users/:id` | `User/<id>/$fields` |
 * | `GET /users/:id/posts` | `User/<id>/posts`, `Post/<pid>/$fields` of each post listed |
 * | `GET /posts/:id` | `Post/<id>/$fields`, `Post/<id>/comments`, `User/<author>/$fields` (a 404: `Query/posts`) |
 * | `GET /posts` (first page) | `Query/posts`, `Post/<pid>/$fields` of each post listed |
 * | `GET /posts?cursor=` | `Post/<pid>/$fields` of each post listed (older pages only change when a listed post
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

const postTags = (items: ReadonlyArray<PostSummary>) => items.map((post) => tags.Post(post.id).$fields)

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
        tags: ({ path }) => tags.User(path.id).$fields
      },
      getUserPosts: {
        ttl,
        grace,
        key: ({ path }) => `userPosts:${path.id}`,
        tags: ({ path }, exit) =>
          Exit.isSuccess(exit) ? [tags.User(path.id).posts, ...postTags(exit.value)] : tags.User(path.id).$fields
      }
    },
    posts: {
      getPost: {
        ttl,
        grace,
        key: ({ path }) => `post:${path.id}`,
        // A post id not taken yet may be taken by the next new post, which invalidates `Query/posts`.
        tags: ({ path }, exit) =>
          Exit.isSuccess(exit)
            ? [tags.Post(path.id).$fields, tags.Post(path.id).comments, tags.User(exit.value.userId).$fields]
            : tags.Query.posts
      },
      listPosts: {
        ttl,
        grace,
        key: ({ urlParams }) =>
          `feed:${Key.canonical({ limit: urlParams.limit ?? defaultLimit, cursor: urlParams.cursor ?? null })}`,
        tags: ({ urlParams }, exit) => [
          ...(urlParams.cursor === undefined ? [tags.Query.posts] : []),
          ...(Exit.isSuccess(exit) ? postTags(exit.value.items) : [])
        ]
      }
    }
  }))
