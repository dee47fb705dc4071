/**
 * Single-flight of fragments across concurrent operations: the first operation to miss a key
 * holds its flight until the operation ends; others that hold none wait for the rendered value
 * (an operation that holds a flight never waits, so no two operations wait on each other).
 * A flight is dated by the stamp its operation read before computing: an operation whose own
 * stamp is later (the tags were invalidated in between, a mutation may have changed what the
 * flight read) never joins it, it computes the fragment itself — as the core's flights do.
 * @internal
 */
import type { Cache } from "@cachet/core"

import type { Stored } from "./raw.js"

/** A fragment computed by a request that other requests may wait for. @internal */
export interface Flight {
  /** The stamp of the operation computing it (`-1`: unknown, never joined). */
  readonly stamp: number
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

/**
 * Whether an operation that read `stamp` may take the flight's value: the flight computed it
 * from data read after every invalidation the operation saw. @internal
 */
export const joinable = (flight: Flight, stamp: number): boolean => stamp !== -1 && flight.stamp >= stamp

/** A new, unsettled flight of an operation that read `stamp`. @internal */
export const makeFlight = (stamp: number): Flight => {
  let settle: (stored: Stored | undefined) => void = () => {}
  const promise = new Promise<Stored | undefined>((resolve) => {
    settle = resolve
  })
  return { stamp, promise, settle }
}
