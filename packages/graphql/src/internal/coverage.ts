/**
 * What one execution's response is made of, for a whole-response cache: the tags of every
 * fragment read or written (so invalidating any of them invalidates the stored response), the
 * shortest ttl and grace among them, and whether anything but shared fragments shaped it.
 * @internal
 */
import { Duration } from "effect"

import type { FragmentOptions } from "../GraphQLCache.js"
import type { Stored } from "./raw.js"

/** @internal */
export class Coverage {
  /** Every fragment read or written in the execution (their tags are gathered only when asked). */
  private readonly fragments: Array<Stored> = []
  /** The shortest ttl / grace a fragment met names (milliseconds), if any names one. */
  ttlMillis: number | undefined = undefined
  graceMillis: number | undefined = undefined
  /**
   * A fragment met depends on the context (`when`, `unless`, `contextKey`, `keepInContext`):
   * its value may differ between requests that a response cache cannot tell apart.
   */
  contextual = false
  /** A root field was resolved outside the fragment cache: its value has no tags. */
  plainRoot = false
  /**
   * A fragment came from another execution's flight: it may have been computed before this
   * execution started (before a write this one must show), so the response is not stored.
   */
  borrowed = false
  /** A fragment that missed was not rendered (error or absent value): its tags are unknown. */
  unrendered = false

  /** Notes a cached field met (hit or miss). */
  note(spec: FragmentOptions): void {
    if (
      spec.when !== undefined || spec.unless !== undefined || spec.contextKey !== undefined ||
      spec.keepInContext === true
    ) {
      this.contextual = true
    }
    if (spec.ttl !== undefined) this.ttlMillis = min(this.ttlMillis, Duration.toMillis(spec.ttl))
    if (spec.grace !== undefined) {
      this.graceMillis = min(this.graceMillis, Duration.toMillis(spec.grace))
    }
  }

  /**
   * The earliest time a fragment read or written stops being fresh (epoch milliseconds; `0` when
   * one's freshness is unknown: a response showing it is not stored).
   */
  freshUntil: number | undefined = undefined

  /** Adds a fragment read or written: its tags, and until when it is fresh. */
  add(stored: Stored): void {
    this.fragments.push(stored)
    this.freshUntil = min(this.freshUntil, stored.e ?? 0)
  }

  /** Every tag of every fragment read or written in the execution. */
  tags(): Array<string> {
    const tags = new Set<string>()
    for (const fragment of this.fragments) for (const tag of fragment.g) tags.add(tag)
    return Array.from(tags)
  }
}

const min = (a: number | undefined, b: number): number => (a === undefined ? b : Math.min(a, b))
