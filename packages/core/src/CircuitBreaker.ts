/**
 * A circuit breaker for a backing store: after `threshold` consecutive failures it opens, and
 * calls skip the store. While open it lets one call through now and then as a probe (half-open),
 * on a short jittered backoff: the first after about `cooldown / 8`, then doubling up to
 * `cooldown` (default 1 second); each wait is drawn between half of it and all of it, so
 * processes that lost the store together do not probe in step. A success closes the breaker, so
 * the cache serves from the store again within about `cooldown` of the store coming back,
 * however much traffic arrived during the outage. Time comes from Effect's `Clock`, so
 * `TestClock` drives it in tests.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Random } from "effect"

/**
 * When the breaker opens and how often it probes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Consecutive failures that open the breaker (default 5). */
  readonly threshold?: number
  /** The longest wait between two probes of an open breaker (default 1 second). */
  readonly cooldown?: Duration.DurationInput
  /** Randomize each wait between half of it and all of it (default true). */
  readonly jitter?: boolean
}

/**
 * Whether calls go to the store (`closed`) or skip it but for probes (`open`).
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
  /** The longest wait between probes, in milliseconds. */
  readonly cooldownMillis: number
  /** True while calls skip the store (but for probes). */
  readonly isOpen: () => boolean
  /** `open` or `closed`, now. */
  readonly state: () => State
  /** Failures since the last success. */
  readonly consecutiveFailures: () => number
  /**
   * Whether a call may go to the store now: always when closed; when open, true for one call
   * once the probe's wait is over (that call is the probe: the next one is scheduled at once).
   */
  readonly allow: () => boolean
  /** A call succeeded: the breaker closes. */
  readonly recordSuccess: () => void
  /** A call failed; true when this failure opened the breaker. */
  readonly recordFailure: () => boolean
}

/** A small deterministic generator (mulberry32), seeded from Effect's `Random`. */
const generator = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A closed breaker that reads time from the `Clock` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<CircuitBreaker> =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const random = generator(yield* Random.nextIntBetween(0, 2 ** 31))
    const threshold = options.threshold ?? 5
    const cooldownMillis = Duration.toMillis(options.cooldown ?? Duration.seconds(1))
    const jitter = options.jitter ?? true
    const firstMillis = cooldownMillis / 8
    let failures = 0
    let open = false
    let probes = 0
    let nextProbeAt = 0
    /** The wait before the next probe: doubling from `cooldown / 8`, capped, jittered. */
    const wait = () => {
      const base = Math.min(cooldownMillis, firstMillis * 2 ** Math.min(probes, 30))
      probes++
      return jitter ? base * (0.5 + random() / 2) : base
    }
    return {
      cooldownMillis,
      isOpen: () => open,
      state: () => (open ? "open" : "closed"),
      consecutiveFailures: () => failures,
      allow: () => {
        if (!open) return true
        const now = clock.unsafeCurrentTimeMillis()
        if (now < nextProbeAt) return false
        nextProbeAt = now + wait()
        return true
      },
      recordSuccess: () => {
        failures = 0
        open = false
        probes = 0
      },
      recordFailure: () => {
        failures++
        if (open || failures < threshold) return false
        open = true
        probes = 0
        nextProbeAt = clock.unsafeCurrentTimeMillis() + wait()
        return true
      }
    }
  })
