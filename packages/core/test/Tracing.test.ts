import { Tracing } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Tracer } from "effect"

const currentSpanName = Effect.map(Effect.option(Effect.currentSpan), Option.map((span) => span.name))

describe("Tracing.traced", () => {
  it.effect("opens no span under Effect's default tracer", () =>
    Effect.gen(function*() {
      expect(yield* currentSpanName.pipe(Tracing.traced("outer"))).toEqual(Option.none())
    }))

  it.effect("opens the named span, with its attributes, under another tracer", () =>
    Effect.gen(function*() {
      const native = yield* Effect.tracer
      const started: Array<Tracer.Span> = []
      const recording = Tracer.make({
        span: (...args) => {
          const span = native.span(...args)
          started.push(span)
          return span
        },
        context: native.context
      })
      const name = yield* currentSpanName.pipe(
        Tracing.traced("outer", { attributes: { "cachet.key": "k" } }),
        Effect.withTracer(recording)
      )
      expect(name).toEqual(Option.some("outer"))
      expect(started.map((span) => [span.name, span.attributes.get("cachet.key")])).toEqual([["outer", "k"]])
    }))
})
