/**
 * Property: for random sequences of reads, writes and invalidations over HTTP, the cached route
 * answers what its uncached twin answers at that moment — except a `STALE` answer (the route
 * declares a grace), which may be any version written since the last hard invalidation.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, FastCheck } from "effect"

import { get, request, ServerLive } from "./server.js"

type Action =
  | { readonly _tag: "read"; readonly item: number }
  | { readonly _tag: "write"; readonly item: number; readonly value: string; readonly mode: "hard" | "soft" }

const action: FastCheck.Arbitrary<Action> = FastCheck.oneof(
  FastCheck.record({ _tag: FastCheck.constant("read" as const), item: FastCheck.integer({ min: 0, max: 2 }) }),
  FastCheck.record({
    _tag: FastCheck.constant("write" as const),
    item: FastCheck.integer({ min: 0, max: 2 }),
    value: FastCheck.string({ maxLength: 8 }),
    mode: FastCheck.constantFrom("hard" as const, "soft" as const)
  })
)

let run = 0

layer(ServerLive)("HttpCache property", (it) => {
  it.effect.prop(
    "a cached body equals the uncached body at that moment, or is an older one only when STALE (in grace)",
    [FastCheck.array(action, { minLength: 1, maxLength: 30 })],
    ([actions]) =>
      Effect.gen(function*() {
        const prefix = `prop-${++run}`
        // What a STALE answer may show, per item: every body since the last hard invalidation.
        const allowed = new Map<number, Set<string>>()
        for (const step of actions) {
          const id = `${prefix}-${step.item}`
          if (step._tag === "write") {
            yield* request("POST", `/items/${id}`, {}, { value: step.value, mode: step.mode })
            const uncached = yield* get(`/uncached/items/${id}`)
            const bodies = step.mode === "hard" ? new Set<string>() : allowed.get(step.item) ?? new Set<string>()
            bodies.add(uncached.text)
            allowed.set(step.item, bodies)
            continue
          }
          const cached = yield* get(`/items/${id}`)
          const uncached = yield* get(`/uncached/items/${id}`)
          if (!allowed.has(step.item)) allowed.set(step.item, new Set([uncached.text]))
          if (cached.cache === "STALE") {
            expect(allowed.get(step.item)!.has(cached.text), `${id}: stale body ${cached.text}`).toBe(true)
          } else {
            expect([cached.status, cached.text], `${id} (${cached.cache})`).toEqual([uncached.status, uncached.text])
          }
        }
      }),
    { fastCheck: { numRuns: 40 } }
  )
})
