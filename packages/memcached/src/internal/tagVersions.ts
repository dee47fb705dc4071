import { Store, TagVersions } from "@cachet/core"
import { Clock, Effect } from "effect"
import type { Client } from "memjs"

import * as Cas from "./cas.js"
import { call, encodeKey, parseNumber, type Settings } from "./memcachedStore.js"

/** A raise that loses this many CAS races in a row gives up (each loss means a newer bump landed). */
const MAX_CAS_ATTEMPTS = 64

/**
 * Tag versions without a lock. A bump takes the next counter value with memcached's atomic
 * `incr`, then raises each path's version item to it: read it with its CAS token (`gets`),
 * stop if it already holds that value or a later one, else write it with `cas` (or `add` when
 * absent) and retry on a lost race. Versions therefore only ever go up, two bumps never wait
 * for each other, and the invariant holds: a stamp taken before the `incr` is at most the
 * value written, so the entry it guards is invalid once the bump returns.
 * @internal
 */
export const makeTagVersions = (client: Client, settings: Settings): TagVersions.Service => {
  const counterKey = `${settings.keyPrefix}t:counter`
  const versionKey = (mode: TagVersions.Mode, path: string) =>
    encodeKey(`${settings.keyPrefix}v:${mode === "hard" ? "h" : "s"}:`, path)

  const raise = (key: string, target: number): Effect.Effect<void, Store.StoreError> =>
    Effect.gen(function*() {
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const current = yield* call("bump", () => Cas.gets(client, key))
        if (current === null) {
          if (yield* call("bump", () => client.add(key, String(target), { expires: 0 }))) return
        } else if (parseNumber(current.value) >= target) {
          return
        } else if (yield* call("bump", () => Cas.cas(client, key, String(target), current.cas, 0))) {
          return
        }
      }
      return yield* new Store.StoreError({
        operation: "bump",
        reason: `version of ${key} kept changing (${MAX_CAS_ATTEMPTS} CAS races lost)`
      })
    })

  return {
    counter: Effect.map(call("counter", () => client.get(counterKey)), ({ value }) => parseNumber(value)),
    versions: (paths) =>
      Effect.forEach(paths, (path) =>
        Effect.zipWith(
          call("versions", () => client.get(versionKey("hard", path))),
          call("versions", () => client.get(versionKey("soft", path))),
          (hard, soft) => ({ hard: parseNumber(hard.value), soft: parseNumber(soft.value) }),
          { concurrent: true }
        ), { concurrency: "unbounded" }),
    bump: (paths, mode) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        // A counter lost to eviction restarts at the current Unix time in seconds (memjs
        // counters are 32-bit), ahead of any stamp unless more bumps than seconds happened.
        const result = yield* call("bump", () =>
          client.increment(counterKey, 1, { initial: Math.floor(now / 1000), expires: 0 }))
        if (!result.success || typeof result.value !== "number") {
          return yield* new Store.StoreError({ operation: "bump", reason: "incr failed" })
        }
        const counter = result.value
        yield* Effect.forEach(new Set(paths), (path) =>
          raise(versionKey(mode, path), counter), {
          concurrency: "unbounded",
          discard: true
        })
        return counter
      })
  }
}
