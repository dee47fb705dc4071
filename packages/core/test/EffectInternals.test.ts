/**
 * Pins the Effect internals that the hit path of `getOrFetch` relies on (`internal/policies.ts`:
 * `CacheOrNetworkRead`, an `Effectable.Class` with its own `[Symbol.iterator]`, and `HitStep`;
 * `internal/entryState.ts`: the `step` made once per entry). If an Effect upgrade changes any of
 * them, these tests fail with a message naming what changed: re-check the hit path (and measure
 * `npm run bench -- cache`) before adapting it.
 */
import { Cache, MemoryStore } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Effectable, Exit, Fiber, Layer, Option, Scheduler, Schema, Scope, Utils } from "effect"

/** Runs `effect` and counts the ops of the run loop (its scheduler is asked once per op whether to yield). */
const opsOf = <A, E>(effect: Effect.Effect<A, E>): number => {
  let ops = 0
  const tasks: Array<() => void> = []
  const scheduler = Scheduler.make((task) => tasks.push(task), () => {
    ops++
    return false
  })
  const fiber = Effect.runFork(effect.pipe(Effect.withScheduler(scheduler)), { scheduler })
  while (tasks.length > 0) tasks.shift()!()
  if (fiber.unsafePoll() === null) throw new Error("the effect did not complete once its scheduled tasks ran")
  return ops
}

const repeat = <A>(n: number, step: () => Effect.Effect<A>) =>
  Effect.gen(function*() {
    const values: Array<A> = []
    for (let i = 0; i < n; i++) values.push(yield* step())
    return values
  })

describe("the Effect internals of the hit path", () => {
  it("Effect.succeed and Effect.fail are Exit values", () => {
    expect(
      Exit.isExit(Effect.succeed(1)) && Exit.isExit(Effect.fail("e")),
      "the hit path serves a hit as `Effect.succeed(value)` (or `Effect.fail`) made once per entry and relies on it " +
        "being an `Exit`, which Effect.gen's iterator loop (fiberRuntime OP_ITERATOR) resumes from without an op " +
        "of the run loop"
    ).toBe(true)
  })

  it("Effect.gen resumes from a yielded Exit without an op of the run loop (the control, an Effect.sync, takes one)", () => {
    const exits = opsOf(repeat(200, () => Effect.succeed(1))) - opsOf(repeat(1, () => Effect.succeed(1)))
    const syncs = opsOf(repeat(200, () => Effect.sync(() => 1))) - opsOf(repeat(1, () => Effect.sync(() => 1)))
    expect(syncs, "control: 199 more Effect.sync steps take at least one op each").toBeGreaterThanOrEqual(199)
    expect(
      exits,
      "Effect.gen (fiberRuntime OP_ITERATOR) no longer resumes a generator at once from a yielded Exit: the hit " +
        "path's `HitStep` (internal/policies.ts) then costs ops of the run loop"
    ).toBeLessThan(10)
  })

  it("Effect.gen passes a yielded Exit's value to the delegated iterator's next, and yield* returns its done value", () => {
    // HitStep's protocol: a first step made once per entry and shared, then `done` with the value it is given.
    const step: IteratorYieldResult<Utils.YieldWrap<Effect.Effect<number>>> = {
      value: new Utils.YieldWrap(Effect.succeed(7)),
      done: false
    }
    const hitStep = (): Iterable<Utils.YieldWrap<Effect.Effect<number>>, number> => {
      let first: typeof step | undefined = step
      const iterator: Iterator<Utils.YieldWrap<Effect.Effect<number>>, number> = {
        next: (value?: unknown) => {
          const out = first
          first = undefined
          return out ?? { value: value as number, done: true }
        }
      }
      return { [Symbol.iterator]: () => iterator }
    }
    const ran = Effect.runSync(Effect.gen(function*() {
      const a = yield* hitStep()
      const b = yield* hitStep()
      return a + b
    }))
    expect(
      ran,
      "Effect.gen (fiberRuntime OP_ITERATOR, Utils.yieldWrapGet) no longer resumes a delegated iterator with the " +
        "yielded Exit's value: the hit path's `HitStep` (internal/policies.ts) returns wrong values"
    ).toBe(14)
  })

  it("yield* on an Effectable.Class uses its own [Symbol.iterator], a plain run its commit(), both in the fiber", () => {
    const calls: Array<string> = []
    class Probe extends Effectable.Class<number> {
      commit(): Effect.Effect<number> {
        calls.push(`commit:${Option.isSome(Fiber.getCurrentFiber())}`)
        return Effect.succeed(1)
      }
      override [Symbol.iterator](): Iterator<Utils.YieldWrap<Effect.Effect<number>>, number> {
        calls.push(`iterator:${Option.isSome(Fiber.getCurrentFiber())}`)
        return new Utils.SingleShotGen(new Utils.YieldWrap(Effect.succeed(2))) as never
      }
    }
    const ran = Effect.runSync(Effect.gen(function*() {
      const a = yield* new Probe()
      const b = yield* Effect.map(new Probe(), (n) => n * 10)
      return [a, b]
    }))
    expect(
      { ran, calls },
      "CacheOrNetworkRead (internal/policies.ts) relies on Effectable.Class calling commit() when run, honouring an " +
        "overridden [Symbol.iterator] on yield*, Utils.SingleShotGen/Utils.YieldWrap, and Fiber.getCurrentFiber() " +
        "being the running fiber in both"
    ).toEqual({ ran: [2, 10], calls: ["iterator:true", "commit:true"] })
  })

  it("a hit of getOrFetch in yield* costs no op of the run loop", async () => {
    const scope = Effect.runSync(Scope.make())
    const context = Effect.runSync(
      Layer.buildWithScope(Cache.layer({ ttl: "1 hour" }).pipe(Layer.provideMerge(MemoryStore.layer())), scope)
    )
    const cache = Effect.runSync(Effect.provide(Cache.Cache, context))
    const read = () => cache.getOrFetch("pinned", Effect.succeed(1), { schema: Schema.Number })
    expect(await Effect.runPromise(read())).toBe(1)
    expect(await Effect.runPromise(read())).toBe(1)
    const hits = (n: number) => opsOf(repeat(n, read).pipe(Effect.provide(context)))
    expect(Effect.runSync(repeat(3, read).pipe(Effect.provide(context)))).toEqual([1, 1, 1])
    const few = hits(1)
    const many = hits(200)
    expect(
      many - few,
      "200 hits of getOrFetch in yield* took ops of the run loop: the hit path (CacheOrNetworkRead's [Symbol.iterator] " +
        "returning HitStep, internal/policies.ts) no longer completes inside Effect.gen's iterator loop"
    ).toBeLessThan(10)
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })
})
