/**
 * Single-flight of fragments across concurrent operations: the first operation to miss a key
 * holds its flight until the operation ends; others that hold none wait for the rendered value
 * (an operation that holds a flight never waits, so no two operations wait on each other).
 * @internal
 */
import type { Cache } from "@cachet/core"

import type { Stored } from "./raw.js"

/** A fragment computed by a request that other requests may wait for. @internal */
export interface Flight {
  readonly promise: Promise<Stored | undefined>
  readonly settle: (stored: Stored | undefined) => void
}

/** Flights per cache, shared by every operation on that cache (single-flight). @internal */
export const flightsOf = (() => {
  const all = new WeakMap<Cache.Service, Map<string, Flight>>()
  return (cache: Cache.Service): Map<string, Flight> => {
    let flights = all.get(cache)
    if (flights === undefined) {
      flights = new Map()
      all.set(cache, flights)
    }
    return flights
  }
})()

/** A new, unsettled flight. @internal */
export const makeFlight = (): Flight => {
  let settle: (stored: Stored | undefined) => void = () => {}
  const promise = new Promise<Stored | undefined>((resolve) => {
    settle = resolve
  })
  return { promise, settle }
}
