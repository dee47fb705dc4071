/**
 * Retention and garbage collection: the recent root fields (a bounded buffer) and the retained
 * ones survive `gc`; every other root field goes, then every node no longer reachable.
 * @internal
 */
import { reachable } from "./reachability.js"
import type { State } from "./state.js"
import type { Write } from "./store.js"

/** Records a root field as just used, dropping the oldest beyond the buffer size. @internal */
export const touch = (state: State, fieldKey: string): void => {
  const recent = state.recent
  recent.delete(fieldKey)
  recent.set(fieldKey, true)
  while (recent.size > state.bufferSize) {
    const oldest = recent.keys().next().value as string
    recent.delete(oldest)
  }
}

/** Keeps a root field through `gc` until released as many times. @internal */
export const retain = (state: State, fieldKey: string): void => {
  state.retained.set(fieldKey, (state.retained.get(fieldKey) ?? 0) + 1)
}

/** Releases one retention of a root field. @internal */
export const release = (state: State, fieldKey: string): void => {
  const count = (state.retained.get(fieldKey) ?? 0) - 1
  if (count <= 0) state.retained.delete(fieldKey)
  else state.retained.set(fieldKey, count)
}

/** Removes unkept root fields and unreachable nodes; returns how many nodes were removed. @internal */
export const gc = (state: State, w: Write): number => {
  const store = state.store
  const root = store.root
  const rootFields = new Set<string>(Object.keys(root.records))
  if (root.links !== undefined) { for (const fk of Object.keys(root.links)) rootFields.add(fk) }
  for (const fk of rootFields) {
    if (!state.recent.has(fk) && !state.retained.has(fk)) {
      store.removeField(w, root, fk)
      state.rootPlans.delete(fk)
    }
  }
  const keep = reachable(store)
  let removed = 0
  for (const key of store.nodes.keys()) {
    if (!keep.has(key)) {
      store.nodes.delete(key)
      removed++
    }
  }
  if (removed > 0) store.seq++
  return removed
}
