/**
 * Test helpers: a promise resolved from outside, and a clock the test moves.
 */
import { Clock, Duration, Effect } from "effect"

/** A promise and the functions that settle it. */
export interface Gate<T> {
  readonly promise: Promise<T>
  readonly resolve: (value: T) => void
  readonly reject: (error: unknown) => void
}

/** A promise settled from outside (what a test waits on instead of sleeping). */
export const gate = <T = void>(): Gate<T> => {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** The first event a subscription tells, as a promise. */
export const next = <A>(subscribe: (listener: (event: A) => void) => () => void): Promise<A> =>
  new Promise<A>((resolve) => {
    const stop = subscribe((event) => {
      stop()
      resolve(event)
    })
  })

/** The system clock shifted by what the test advanced it (sleeps stay real). */
export const movableClock = () => {
  const system = Clock.make()
  let shift = 0
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => system.unsafeCurrentTimeMillis() + shift,
    currentTimeMillis: Effect.sync(() => system.unsafeCurrentTimeMillis() + shift),
    unsafeCurrentTimeNanos: () => system.unsafeCurrentTimeNanos() + BigInt(shift) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => system.unsafeCurrentTimeNanos() + BigInt(shift) * 1_000_000n),
    sleep: (duration: Duration.Duration) => system.sleep(duration)
  }
  return {
    clock,
    advance: (input: Duration.DurationInput) => {
      shift += Duration.toMillis(input)
    }
  }
}
