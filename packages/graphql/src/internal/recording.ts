/**
 * A cached field that missed while it is rendered (what its subtree met), and what is written
 * for it after the operation: the rendered JSON at its path, unless an error is at or below it.
 * @internal
 */
import type { Cache } from "@cachet/core"
import { Tag } from "@cachet/core"
import { Duration } from "effect"
import type { GraphQLError } from "graphql"
import type { Path } from "graphql/jsutils/Path.js"

import type { FragmentOptions, ResolvedOptions } from "../GraphQLCache.js"
import type { Flight } from "./flight.js"
import { at, keysOf } from "./paths.js"
import type { Stored } from "./raw.js"

/** A cached field that missed and is being rendered. @internal */
export interface Recording {
  /** The encoded key. */
  readonly keyText: string
  readonly path: Path
  readonly spec: FragmentOptions
  readonly parent: unknown
  readonly args: Record<string, unknown>
  readonly tags: Set<string>
  readonly types: Record<string, string>
  resolved: unknown
  flight: Flight | undefined
}

/** The entries to write for the finished misses of an operation, and what each rendered. @internal */
export const render = (
  recordings: ReadonlyArray<Recording>,
  data: unknown,
  errors: ReadonlyArray<GraphQLError>,
  config: ResolvedOptions,
  now: number,
  cacheTtlMillis: number | undefined
): { readonly entries: Map<string, Cache.ManyEntry<Stored>>; readonly rendered: Map<Recording, Stored> } => {
  const entries = new Map<string, Cache.ManyEntry<Stored>>()
  const rendered = new Map<Recording, Stored>()
  if (errors.length > 0 && config.skipWhenQueryHasErrors) return { entries, rendered }
  const errorPaths = errors.map((error) => error.path ?? [])
  const values = new Map<Recording, unknown>()
  for (const recording of recordings) {
    const keys = keysOf(recording.path)
    if (errorPaths.some((path) => keys.every((key, i) => path[i] === key))) continue
    const value = at(data, keys)
    if (value !== undefined) values.set(recording, value)
  }
  const tagsOf = enclosedTags(recordings, values)
  for (const recording of recordings) {
    const value = values.get(recording)
    if (value === undefined) continue
    const tags = tagsOf.get(recording)!
    const ttl = recording.spec.ttl ?? config.defaults.ttl
    const grace = recording.spec.grace ?? config.defaults.grace
    // The entry's ttl: the field's, the fragment cache's default, or else the cache's own.
    const ttlMillis = ttl === undefined ? cacheTtlMillis : Duration.toMillis(ttl)
    const freshUntil = ttlMillis === undefined ? {} : { e: now + ttlMillis }
    const stored: Stored = Object.keys(recording.types).length > 0
      ? { v: value, t: recording.types, g: tags, ...freshUntil }
      : { v: value, g: tags, ...freshUntil }
    rendered.set(recording, stored)
    entries.set(recording.keyText, {
      key: recording.keyText,
      value: stored,
      ...(ttl !== undefined ? { ttl } : {}),
      ...(grace !== undefined ? { grace } : {}),
      tags
    })
  }
  return { entries, rendered }
}

/**
 * The tags of each rendered recording: its own, its `tags` option's, and every tag of the
 * rendered recordings nested in it (a nested miss's extra tags reach the fragments that show
 * its JSON too).
 */
const enclosedTags = (
  recordings: ReadonlyArray<Recording>,
  values: ReadonlyMap<Recording, unknown>
): Map<Recording, ReadonlyArray<string>> => {
  const byPath = new Map<Path, Recording>()
  for (const recording of recordings) byPath.set(recording.path, recording)
  const out = new Map<Recording, ReadonlyArray<string>>()
  // A nested recording starts after the one enclosing it: innermost first.
  for (let i = recordings.length - 1; i >= 0; i--) {
    const recording = recordings[i]!
    if (!values.has(recording)) continue
    const extra = recording.spec.tags?.(recording.parent, recording.args, recording.resolved)
    const tags = [...new Set([...recording.tags, ...Tag.normalize(extra)])]
    out.set(recording, tags)
    for (let p = recording.path.prev; p !== undefined; p = p.prev) {
      const enclosing = byPath.get(p)
      if (enclosing !== undefined) { for (const tag of tags) enclosing.tags.add(tag) }
    }
  }
  return out
}
