/**
 * A circuit breaker for a backing store: after `threshold` consecutive failures it opens for
 * `cooldown`, during which calls skip the store; the first call after the cool-down tries the
 * store again (half-open): a success closes the breaker, a failure reopens it at once. Time comes
 * from Effect's `Clock`, so `TestClock` drives it in tests.
 *
 * @since 0.1.0
 */
import { Duration, Effect } from "effect"

/**
 * When the breaker opens and for how long.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Consecutive failures that open the breaker (default 5). */
  readonly threshold?: number
  /** How long an open breaker skips the store (default 10 seconds). */
  readonly cooldown?: Duration.DurationInput
}

/**
 * Whether calls go to the store (`closed`) or skip it (`open`).
 *
 * @since 0.1.0
 * @category models
 */
export type State = "closed" | "open"

/**
 * A circuit breaker's state and transitions. Its methods are synchronous so a guarded call
 * pays no effect for them.
 *
 * @since 0.1.0
 * @category models
 */
export interface CircuitBreaker {
  /** The cool-down, in milliseconds. */
  readonly cooldownMillis: number
  /** True while calls should skip the store. */
  readonly isOpen: () => boolean
  /** `open` or `closed`, now. */
  readonly state: () => State
  /** Failures since the last success. */
  readonly consecutiveFailures: () => number
  /** A call succeeded: the breaker closes. */
  readonly recordSuccess: () => void
  /** A call failed; true when this failure opened the breaker. */
  readonly recordFailure: () => boolean
}

/**
 * A closed breaker that reads time from the `Clock` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<CircuitBreaker> =>
  Effect.map(Effect.clock, (clock) => {
    const threshold = options.threshold ?? 5
    const cooldownMillis = Duration.toMillis(options.cooldown ?? Duration.seconds(10))
    let failures = 0
    let openUntil = 0
    const isOpen = () => openUntil > clock.unsafeCurrentTimeMillis()
    return {
      cooldownMillis,
      isOpen,
      state: () => (isOpen() ? "open" : "closed"),
      consecutiveFailures: () => failures,
      recordSuccess: () => {
        failures = 0
        openUntil = 0
      },
      recordFailure: () => {
        failures++
        const now = clock.unsafeCurrentTimeMillis()
        if (failures >= threshold && openUntil <= now) {
          openUntil = now + cooldownMillis
          return true
        }
        return false
      }
    }
  })
