/**
 * A call's options resolved once against the cache's defaults: schemas, ttl, grace, tags,
 * conditions and timeouts in milliseconds.
 *
 * @internal
 */
import type { Exit } from "effect"
import { Duration } from "effect"

import type * as Cache from "../Cache.js"
import * as Codec from "../Codec.js"
import type * as Policy from "../Policy.js"
import type * as Tag from "../Tag.js"
import type { AnySchema } from "./entryState.js"

/** @internal */
export type AnyFetchOptions = Cache.FetchOptions<
  unknown,
  unknown,
  unknown,
  unknown,
  Policy.Policy,
  Cache.Timeout,
  unknown
>

/** @internal */
export interface Resolved {
  readonly schema: AnySchema
  readonly failureSchema: AnySchema | undefined
  readonly failureTtl: number
  readonly failureWhen: ((error: unknown) => boolean) | undefined
  readonly ttl: number | ((exit: Exit.Exit<unknown, unknown>) => Duration.DurationInput)
  readonly grace: number
  /** After a failed background refresh, how long the stale value is served without fetching. */
  readonly graceBackoff: number
  readonly tags: Tag.Input | ((exit: Exit.Exit<unknown, unknown>) => Tag.Input) | undefined
  readonly when: ((value: unknown) => boolean) | undefined
  readonly soft: number | undefined
  readonly hard: number | undefined
  /** Whether the call may write its result. */
  readonly writes: boolean
}

/** @internal */
export const schemaOf = (options: AnyFetchOptions | undefined): AnySchema =>
  (options?.schema ?? Codec.json) as AnySchema

/** @internal */
export const failureSchemaOf = (options: AnyFetchOptions | undefined): AnySchema | undefined =>
  options?.failures?.schema as AnySchema | undefined

/**
 * How long a stale value is served without fetching after a failed background refresh, when
 * neither the cache nor the call says (milliseconds).
 *
 * @internal
 */
export const defaultGraceBackoff = 5_000

/**
 * Resolves options against the defaults (milliseconds).
 *
 * @internal
 */
export const resolver =
  (defaults: { readonly ttl: number; readonly grace: number; readonly graceBackoff?: number | undefined }) =>
  (options: AnyFetchOptions | undefined, writes: boolean): Resolved => ({
    schema: schemaOf(options),
    failureSchema: failureSchemaOf(options),
    failureTtl: options?.failures?.ttl !== undefined ? Duration.toMillis(options.failures.ttl) : 30_000,
    failureWhen: options?.failures?.when,
    ttl: options?.ttl === undefined
      ? defaults.ttl
      : typeof options.ttl === "function"
      ? options.ttl
      : Duration.toMillis(options.ttl),
    grace: options?.grace === undefined ? defaults.grace : Duration.toMillis(options.grace),
    graceBackoff: options?.graceBackoff === undefined
      ? defaults.graceBackoff ?? defaultGraceBackoff
      : Duration.toMillis(options.graceBackoff),
    tags: options?.tags,
    when: options?.when,
    soft: options?.timeout?.soft !== undefined ? Duration.toMillis(options.timeout.soft) : undefined,
    hard: options?.timeout?.hard !== undefined ? Duration.toMillis(options.timeout.hard) : undefined,
    writes
  })
