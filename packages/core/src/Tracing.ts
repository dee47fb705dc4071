/**
 * Spans that cost nothing when no real tracer records them: Effect's default tracer records
 * nothing, yet `Effect.withSpan` still builds a span (tens of microseconds), so hot paths
 * open one only when another tracer is installed.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"

/** Effect's default tracer, read once: the one that records nothing. */
const nativeTracer = Effect.runSync(Effect.tracer)

/**
 * Runs `effect` in a span named `name` (no stack capture) when a real tracer is installed,
 * as is otherwise: `effect.pipe(Tracing.traced("GraphQLCache.execute"))`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const traced = (
  name: string,
  options?: { readonly attributes?: Record<string, unknown> }
) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) =>
    tracer === nativeTracer
      ? effect
      : Effect.withSpan(effect, name, { ...options, captureStackTrace: false })
  )
