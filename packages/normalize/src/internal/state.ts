/**
 * The mutable state of one graph (never module-level), shared by its operations, watchers,
 * retention and mutations, and the write record each change is made in.
 * @internal
 */
import { Duration } from "effect"

import type * as EG from "../EntityGraph.js"
import type { Compiler, ObjectPlan } from "./plan.js"
import { makeCompiler } from "./plan.js"
import * as snapshots from "./snapshot.js"
import type { Layer, Write } from "./store.js"
import { Store } from "./store.js"
import type { Watcher } from "./watchers.js"

/** The mutable state of one graph. @internal */
export interface State {
  readonly store: Store
  readonly compiler: Compiler
  readonly rootPlans: Map<string, Map<unknown, ObjectPlan>>
  /** The root fields read or written lately (kept through `gc`), oldest first. */
  readonly recent: Map<string, true>
  /** How many holders retain each root field through `gc`. */
  readonly retained: Map<string, number>
  /** The watchers of each dependency key. */
  readonly watchers: Map<string, Set<Watcher>>
  readonly bufferSize: number
  /** Called with every write's changes before the graph's own watchers (the document front end's watchers). */
  readonly listeners: Set<(w: Write) => void>
  layerIds: number
}

/** A new graph state for the graph options. @internal */
export const makeState = (options: EG.Options): State => ({
  store: new Store(
    options.defaultLifetime === undefined ? Infinity : Duration.toMillis(options.defaultLifetime),
    snapshots.decoderCache()
  ),
  compiler: makeCompiler(),
  rootPlans: new Map(),
  recent: new Map(),
  retained: new Map(),
  watchers: new Map(),
  bufferSize: Math.max(0, options.cacheBufferSize ?? 10),
  listeners: new Set(),
  layerIds: 0
})

/** A new write, in an optimistic layer or the base, at `now`. @internal */
export const newWrite = (layer: Layer | undefined, now: number): Write => ({
  layer,
  now,
  changed: new Set(),
  warnings: []
})
