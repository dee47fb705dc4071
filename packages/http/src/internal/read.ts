/** @internal */
import { type Cache, Codec, Key, type Tag } from "@cachet/core"
import { HttpApiSchema, type HttpServerRequest, type HttpServerResponse } from "@effect/platform"
import { Cause, Duration, Effect, Either, Exit, Option, Schema } from "effect"

import type * as HttpCache from "../HttpCache.js"
import * as StoredResponse from "../StoredResponse.js"
import { headerOf, type Located, type RequestLike } from "./door.js"
import { resolveRoute, type Route, serve, stateless, Uncacheable } from "./serve.js"

const encoder = new TextEncoder()

/** Everything a read-through derives from its options besides the key and the tags. */
interface Plan {
  readonly route: Route
  readonly digest: string
  readonly encode: (value: unknown) => Either.Either<unknown, unknown>
  readonly encodeFailure: ((error: unknown) => Either.Either<unknown, unknown>) | undefined
  readonly isFailure: ((error: unknown) => boolean) | undefined
  readonly status: number
  readonly failureStatus: number
  readonly failureTtlMillis: number
  readonly headers: { readonly [name: string]: string } | undefined
}

/** The options a plan is made of. */
type PlanOptions = Omit<HttpCache.ReaderOptions<unknown, unknown, unknown, unknown, unknown, unknown>, "key" | "tags">

const makePlan = (options: PlanOptions): Plan => {
  const route = resolveRoute(options, options.context !== undefined)
  const failure = options.failure
  return {
    route,
    // What the entry's bytes depend on besides the key: the stored layout, the Schemas, the variants.
    digest: Key.digest(
      `r1:${Codec.digest(options.schema)}:${failure === undefined ? "" : Codec.digest(failure.schema)}:${
        route.varyNames.join(",")
      }`
    ).slice(0, 12),
    encode: Schema.encodeEither(options.schema),
    encodeFailure: failure === undefined ? undefined : Schema.encodeEither(failure.schema),
    isFailure: failure === undefined ? undefined : Schema.is(failure.schema),
    status: options.status ?? 200,
    failureStatus: failure === undefined ? 500 : failure.status ?? HttpApiSchema.getStatusError(failure.schema),
    failureTtlMillis: Duration.toMillis(failure?.ttl ?? Duration.seconds(30)),
    headers: options.headers
  }
}

/** The store key of an encoded key for a request (with its `vary` values when the plan has any). */
const storeKeyOf = (plan: Plan, text: string, request: RequestLike): string => {
  const names = plan.route.varyNames
  if (names.length === 0) return `${text}:${plan.digest}`
  const values = names.map((name) => headerOf(request, name)?.trim() ?? null)
  return `${text}:${Key.canonical(values)}:${plan.digest}`
}

/** The store key of an encoded key under a plan, or how to make it from the request when it varies. */
const keyOf = (plan: Plan, text: string): string | ((request: HttpServerRequest.HttpServerRequest) => string) =>
  plan.route.varyNames.length === 0 ? `${text}:${plan.digest}` : (request) => storeKeyOf(plan, text, request)

const store = (plan: Plan, status: number, value: unknown, encode: Plan["encode"], ttlMillis: number) => {
  const encoded = encode(value)
  if (Either.isLeft(encoded)) return Effect.die(encoded.left)
  const bytes = encoder.encode(JSON.stringify(encoded.right))
  return Effect.clockWith((clock) => {
    const response = StoredResponse.make({
      status,
      body: bytes,
      contentType: "application/json",
      producedAt: clock.unsafeCurrentTimeMillis(),
      ttlMillis,
      graceMillis: plan.route.graceMillis,
      headers: plan.headers
    })
    return plan.route.statuses.has(status)
      ? Effect.succeed(response)
      : Effect.fail(new Uncacheable({ response: StoredResponse.toResponse(response, {}) }))
  })
}

/**
 * What a lookup's outcome is stored as: its value or its declared failure, encoded; other failures are the caller's.
 */
const storedOf = <A, E>(
  plan: Plan,
  exit: Exit.Exit<A, E>,
  tagsOf: Tag.Input | ((exit: Exit.Exit<A, E>) => Tag.Input) | undefined,
  tagged: { tags: Tag.Input },
  freshFor: ((value: A) => Duration.DurationInput | undefined) | undefined
): Effect.Effect<StoredResponse.StoredResponse, E | Uncacheable> => {
  if (Exit.isSuccess(exit)) {
    if (tagsOf !== undefined) tagged.tags = typeof tagsOf === "function" ? tagsOf(exit) : tagsOf
    const left = freshFor?.(exit.value)
    const ttlMillis = left === undefined
      ? plan.route.ttlMillis
      : Math.min(plan.route.ttlMillis, Duration.toMillis(left))
    if (ttlMillis <= 0) {
      // No time left to be fresh: answered as produced, never stored.
      return Effect.flatMap(
        store(plan, plan.status, exit.value, plan.encode, 0),
        (response) => Effect.fail(new Uncacheable({ response: StoredResponse.toResponse(response, {}) }))
      )
    }
    return store(plan, plan.status, exit.value, plan.encode, ttlMillis)
  }
  const error = Cause.failureOption(exit.cause)
  if (plan.isFailure === undefined || Option.isNone(error) || !plan.isFailure(error.value)) {
    return Effect.failCause(exit.cause)
  }
  if (tagsOf !== undefined) tagged.tags = typeof tagsOf === "function" ? tagsOf(Exit.fail(error.value)) : tagsOf
  return store(plan, plan.failureStatus, error.value, plan.encodeFailure!, plan.failureTtlMillis)
}

/** One read-through under a plan. */
const readThrough = <A, E, R, RC>(
  plan: Plan,
  key: Key.Input,
  lookup: Effect.Effect<A, E, R>,
  tagsOf: Tag.Input | ((exit: Exit.Exit<A, E>) => Tag.Input) | undefined,
  context: Effect.Effect<Key.Part, never, RC> | undefined,
  freshFor?: (value: A) => Duration.DurationInput | undefined
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E,
  R | RC | Cache.Cache | HttpServerRequest.HttpServerRequest
> => {
  // The entry's tags are known once the lookup has run; the cache asks for them after the fetch.
  const tagged = { tags: [] as Tag.Input }
  return serve(
    keyOf(plan, Key.encode(key)),
    Effect.flatMap(Effect.exit(lookup), (exit) => storedOf(plan, exit, tagsOf, tagged, freshFor)),
    plan.route,
    tagsOf === undefined ? undefined : () => tagged.tags,
    context,
    stateless
  )
}

/** @internal */
export const reader = <In, A, I, E, EI, RC>(
  options: HttpCache.ReaderOptions<In, A, I, E, EI, RC>
): HttpCache.Reader<In, A, E, RC> => {
  const plan = makePlan(options as unknown as PlanOptions)
  const { context, freshFor, key, tags } = options
  // Private entries are keyed by the context: the app's to answer.
  const locate = (input: In, request: RequestLike): Located | undefined =>
    context !== undefined
      ? undefined
      : { key: storeKeyOf(plan, Key.encode(key(input)), request), policy: plan.route.policy }
  const read = <E2 extends E, R>(
    input: In,
    lookup: Effect.Effect<A, E2, R>
  ): Effect.Effect<
    HttpServerResponse.HttpServerResponse,
    E2,
    R | RC | Cache.Cache | HttpServerRequest.HttpServerRequest
  > =>
    readThrough(
      plan,
      key(input),
      lookup,
      typeof tags === "function" ? (exit) => tags(input, exit) : tags,
      context,
      freshFor === undefined ? undefined : (value) => freshFor(input, value)
    )
  return Object.assign(read, { locate })
}
