/**
 * The blog's `HttpApi`: its feature groups and the shared cache administration group.
 *
 * @since 0.1.0
 */
import { CacheApi } from "@cachet/api"
import { CacheGraphApi } from "@cachet/api/CacheGraph"
import { HttpApi, OpenApi } from "@effect/platform"

import { CommentsApi } from "./Comments/Api.js"
import { HealthApi } from "./Health/Api.js"
import { PostsApi } from "./Posts/Api.js"
import { UsersApi } from "./Users/Api.js"

/**
 * @since 0.1.0
 * @category apis
 */
export class Api extends HttpApi.make("blog")
  .add(HealthApi)
  .add(UsersApi)
  .add(PostsApi)
  .add(CommentsApi)
  .add(CacheApi.CacheApi)
  .add(CacheGraphApi)
  .annotate(OpenApi.Title, "Cachet blog")
  .annotate(
    OpenApi.Description,
    "The Cachet reference app: a blog on SQLite whose reads are cached as tagged HTTP responses (@cachet/http)"
  )
{}
