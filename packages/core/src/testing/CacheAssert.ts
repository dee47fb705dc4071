/**
 * Assertions about what a `Cache` holds, for tests of code that caches: each is an Effect that
 * fails with a `CacheAssertionError` naming the key and what was found instead.
 *
 * @since 0.1.0
 */
import { Data, Effect, Option } from "effect"

import * as Cache from "../Cache.js"
import type * as Key from "../Key.js"

/**
 * What the cache held did not match the expectation.
 *
 * @since 0.1.0
 * @category errors
 */
export class CacheAssertionError extends Data.TaggedError("CacheAssertionError")<{
  readonly key: string
  readonly expected: string
  readonly actual: string
}> {
  override get message(): string {
    return `cache entry ${this.key}: expected ${this.expected}, found ${this.actual}`
  }
}

const describeKey = (key: Key.Input): string => (typeof key === "string" ? key : JSON.stringify(key))

const found = (info: Option.Option<Cache.EntryInfo>): string =>
  Option.match(info, {
    onNone: () => "no entry",
    onSome: (entry) => `an entry in state ${entry.state} (${entry.value})`
  })

/**
 * The cached value of a key (fresh or in grace), failing when there is none.
 *
 * @since 0.1.0
 * @category assertions
 */
export const cached = <A, I = A>(
  key: Key.Input,
  options?: Cache.EntryOptions<A, I>
): Effect.Effect<A, CacheAssertionError, Cache.Cache> =>
  Effect.gen(function*() {
    const cache = yield* Cache.Cache
    const value = yield* cache.get(key, options)
    if (Option.isSome(value)) return value.value
    return yield* new CacheAssertionError({
      key: describeKey(key),
      expected: "a usable cached value",
      actual: found(yield* cache.inspect(key))
    })
  })

/**
 * Succeeds when a key has no usable cached value (missing, expired past grace, or invalidated).
 *
 * @since 0.1.0
 * @category assertions
 */
export const notCached = (key: Key.Input): Effect.Effect<void, CacheAssertionError, Cache.Cache> =>
  Effect.gen(function*() {
    const cache = yield* Cache.Cache
    const info = yield* cache.inspect(key)
    if (Option.isSome(info) && (info.value.state === "fresh" || info.value.state === "stale")) {
      return yield* new CacheAssertionError({
        key: describeKey(key),
        expected: "no usable cached value",
        actual: found(info)
      })
    }
  })

/**
 * Succeeds when a key's entry is in the given state (`fresh`, `stale`, `expired`, `invalidated`).
 *
 * @since 0.1.0
 * @category assertions
 */
export const state = (key: Key.Input, expected: Cache.State): Effect.Effect<void, CacheAssertionError, Cache.Cache> =>
  Effect.gen(function*() {
    const cache = yield* Cache.Cache
    const info = yield* cache.inspect(key)
    if (Option.isNone(info) || info.value.state !== expected) {
      return yield* new CacheAssertionError({
        key: describeKey(key),
        expected: `state ${expected}`,
        actual: found(info)
      })
    }
  })

/**
 * Succeeds when an entry carries exactly these tags (in their string form, any order).
 *
 * @since 0.1.0
 * @category assertions
 */
export const taggedWith = (
  key: Key.Input,
  tags: ReadonlyArray<string>
): Effect.Effect<void, CacheAssertionError, Cache.Cache> =>
  Effect.gen(function*() {
    const cache = yield* Cache.Cache
    const info = yield* cache.inspect(key)
    const actual = Option.map(info, (entry) => [...entry.tags].sort())
    const wanted = [...tags].sort()
    if (Option.isNone(actual) || actual.value.join("\n") !== wanted.join("\n")) {
      return yield* new CacheAssertionError({
        key: describeKey(key),
        expected: `tags [${wanted.join(", ")}]`,
        actual: Option.match(actual, { onNone: () => "no entry", onSome: (t) => `tags [${t.join(", ")}]` })
      })
    }
  })

/**
 * Everything the cache holds under a key prefix, for snapshot-style assertions.
 *
 * @since 0.1.0
 * @category assertions
 */
export const entries = (
  prefix = "",
  limit = 1_000
): Effect.Effect<ReadonlyArray<Cache.EntryInfo>, never, Cache.Cache> =>
  Effect.gen(function*() {
    const cache = yield* Cache.Cache
    const keys = yield* cache.keys({ prefix, limit })
    const infos = yield* Effect.forEach(keys, (key) => cache.inspect(key))
    return infos.flatMap((info) => (Option.isSome(info) ? [info.value] : []))
  })
