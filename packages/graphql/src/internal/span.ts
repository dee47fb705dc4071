/**
 * Spans that cost nothing when no real tracer records them.
 * @internal
 */
import { Effect } from "effect"

/** Effect's default tracer, which records nothing. */
const nativeTracer = Effect.runSync(Effect.tracer)

/** Runs `effect` in a span named `name` when a real tracer is installed (no stack capture). @internal */
export const traced = (name: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) =>
    tracer === nativeTracer ? effect : Effect.withSpan(effect, name, { captureStackTrace: false })
  )
