/**
 * `EntityGraph.snapshot` and `restore`: the base graph saved to and loaded from a `Store` entry
 * (the encoding is `snapshot.ts`'s).
 * @internal
 */
import { Store as BackingStore } from "@cachet/core"
import { Clock, Effect, Option } from "effect"

import type * as EG from "../EntityGraph.js"
import { touch } from "./retention.js"
import * as snapshots from "./snapshot.js"
import type { State } from "./state.js"
import type { Write } from "./store.js"

const DEFAULT_SNAPSHOT_KEY = "cachet:normalize:snapshot"

const snapshotKey = (options?: EG.SnapshotOptions) => options?.key ?? DEFAULT_SNAPSHOT_KEY

/** Saves the base graph and the recent root fields. @internal */
export const snapshot = (state: State, options?: EG.SnapshotOptions) =>
  Effect.gen(function*() {
    const backing = yield* BackingStore.Store
    const now = yield* Clock.currentTimeMillis
    const { dropped, text } = snapshots.encode(state.store, state.compiler, state.recent.keys())
    if (dropped > 0) {
      yield* Effect.logWarning(`EntityGraph.snapshot: ${dropped} values without a known Schema were left out`)
    }
    yield* backing.set(snapshotKey(options), {
      value: text,
      stamp: 0,
      createdAt: now,
      ttl: Infinity,
      grace: 0,
      tags: [],
      failed: false
    })
  }).pipe(Effect.withSpan("EntityGraph.snapshot"))

/** Loads a saved snapshot into the graph (in one committed write); false when there is none usable. @internal */
export const restore = (
  state: State,
  writing: <A>(f: (w: Write) => A) => Effect.Effect<A>,
  options?: EG.SnapshotOptions
) =>
  Effect.gen(function*() {
    const backing = yield* BackingStore.Store
    const entry = yield* backing.get(snapshotKey(options))
    if (Option.isNone(entry)) return false
    const decoded = snapshots.decode(entry.value.value)
    if (decoded === undefined) {
      yield* Effect.logWarning("EntityGraph.restore: the stored snapshot is not of a known version; ignored")
      return false
    }
    yield* writing((w) => {
      snapshots.apply(state.store, w, decoded)
      for (const fieldKey of decoded.recent) touch(state, fieldKey)
    })
    return true
  }).pipe(Effect.withSpan("EntityGraph.restore"))
