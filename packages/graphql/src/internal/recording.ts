/**
 * A cached field that missed while it is rendered (what its subtree met), and what is written
 * for it after the operation: the rendered JSON at its path, unless an error is at or below it.
 * @internal
 */
import type { Cache, Key } from "@cachet/core"
import { Tag } from "@cachet/core"
import type { GraphQLError } from "graphql"
import type { Path } from "graphql/jsutils/Path.js"
import type { FragmentOptions, ResolvedOptions } from "../GraphQLCache.js"
import type { Flight } from "./flight.js"
import { at, keysOf } from "./paths.js"
import type { Stored } from "./raw.js"

/** A cached field that missed and is being rendered. @internal */
export interface Recording {
  readonly key: Key.Input
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
  config: ResolvedOptions
): { readonly entries: Map<string, Cache.ManyEntry<Stored>>; readonly rendered: Map<Recording, Stored> } => {
  const skipAll = errors.length > 0 && config.skipWhenQueryHasErrors
  const errorPaths = errors.map((error) => error.path ?? [])
  const entries = new Map<string, Cache.ManyEntry<Stored>>()
  const rendered = new Map<Recording, Stored>()
  for (const recording of recordings) {
    if (skipAll) continue
    const keys = keysOf(recording.path)
    if (errorPaths.some((path) => keys.every((key, i) => path[i] === key))) continue
    const value = at(data, keys)
    if (value === undefined) continue
    const extra = recording.spec.tags?.(recording.parent, recording.args, recording.resolved)
    const tags = [...recording.tags, ...Tag.normalize(extra)]
    const stored: Stored = Object.keys(recording.types).length > 0
      ? { v: value, t: recording.types, g: tags }
      : { v: value, g: tags }
    rendered.set(recording, stored)
    const ttl = recording.spec.ttl ?? config.defaults.ttl
    const grace = recording.spec.grace ?? config.defaults.grace
    entries.set(recording.keyText, {
      key: recording.key,
      value: stored,
      ...(ttl !== undefined ? { ttl } : {}),
      ...(grace !== undefined ? { grace } : {}),
      tags
    })
  }
  return { entries, rendered }
}
