/**
 * What an execution reports: its coverage (what a whole-response cache needs), its counts, and
 * the result with `extensions.cachet` when asked.
 * @internal
 */
import { Duration } from "effect"
import type { ExecutionResult } from "graphql"

import type { Coverage, ResolvedOptions } from "../GraphQLCache.js"
import type { Execution } from "./execution.js"

/** The coverage of a response that is not complete for the moment. @internal */
export const incomplete: Coverage = { complete: false, tags: [] }
const neverComplete: Coverage = { complete: false, tags: [], neverComplete: true }

/** No tags (a query changes nothing). @internal */
export const none: ReadonlyArray<string> = []

/** What the response is made of. @internal */
export const coverageOf = (
  run: Execution,
  config: ResolvedOptions,
  result: ExecutionResult,
  renew: boolean
): Coverage => {
  const coverage = run.coverage
  const complete = config.enabled && !renew && !coverage.plainRoot && !coverage.contextual && !coverage.unrendered &&
    !coverage.borrowed &&
    result.data !== undefined && result.data !== null && (result.errors?.length ?? 0) === 0
  return complete
    ? {
      complete,
      tags: coverage.tags(),
      ttl: coverage.ttlMillis === undefined ? undefined : Duration.millis(coverage.ttlMillis),
      grace: coverage.graceMillis === undefined ? undefined : Duration.millis(coverage.graceMillis),
      freshUntilMillis: coverage.freshUntil
    }
    : config.enabled && !renew && (coverage.plainRoot || coverage.contextual)
    ? neverComplete
    : incomplete
}

/** Fragments read, computed and written. @internal */
export const countsOf = (run: Execution) => ({ hits: run.hits, misses: run.misses, writes: run.writes })

/** The result, with `extensions.cachet` when the options ask for it. @internal */
export const withExtensions = (result: ExecutionResult, run: Execution, config: ResolvedOptions): ExecutionResult =>
  config.extensions
    ? {
      ...result,
      extensions: { ...result.extensions, cachet: { hits: run.hits, misses: run.misses, writes: run.writes } }
    }
    : result
