/**
 * @since 0.1.0
 */
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"

/**
 * What `GET /health` answers.
 *
 * @since 0.1.0
 * @category models
 */
export class Health extends Schema.Class<Health>("Health")({
  status: Schema.Literal("ok"),
  database: Schema.Literal("ok"),
  cache: Schema.Struct({ store: Schema.String, breaker: Schema.Literal("closed", "open") })
}) {}

/**
 * @since 0.1.0
 * @category groups
 */
export class HealthApi extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("health", "/health").addSuccess(Health))
  .annotate(OpenApi.Title, "Health")
{}
