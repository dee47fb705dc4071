/**
 * The invalidation bus port: processes publish what they changed (tag bumps, written or
 * deleted keys, cleared namespaces) and every other process receives it, so a per-process
 * tier (`TieredStore`) drops what another process made stale. A bus is fire-and-forget: an
 * adapter that may lose messages (a dropped connection) delivers `Reset` once it is connected
 * again, and subscribers must then forget everything they hold.
 *
 * Adapters: the in-process bus here (tests, one process), `RedisBus` in `@cachet/redis`.
 *
 * @since 0.1.0
 */
import type { Scope } from "effect"
import { Context, Effect, Layer, PubSub, Queue } from "effect"

import type { StoreError } from "./Store.js"

/**
 * What travels on the bus.
 *
 * @since 0.1.0
 * @category models
 */
export type Message =
  | {
    readonly _tag: "TagsBumped"
    readonly paths: ReadonlyArray<string>
    readonly mode: "hard" | "soft"
    readonly counter: number
  }
  | { readonly _tag: "KeysChanged"; readonly keys: ReadonlyArray<string> }
  | { readonly _tag: "Cleared"; readonly prefix: string }
  | { readonly _tag: "Reset" }

/**
 * One process's connection to the bus.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** This member's id on the bus. */
  readonly id: string
  /** Publishes to every other member (never back to this one). */
  readonly publish: (message: Message) => Effect.Effect<void, StoreError>
  /** Messages from other members (and `Reset` after a loss), from now until the scope closes. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<Message>, never, Scope.Scope>
}

/**
 * The `Bus` service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class Bus extends Context.Tag("@cachet/core/Bus")<Bus, Service>() {}

/**
 * Whether an unknown value (e.g. parsed from a wire) is a bus message.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isMessage = (u: unknown): u is Message => {
  if (typeof u !== "object" || u === null || !("_tag" in u)) return false
  switch (u._tag) {
    case "TagsBumped":
      return "paths" in u && Array.isArray(u.paths) && u.paths.every((p) => typeof p === "string") &&
        "counter" in u && typeof u.counter === "number" && "mode" in u && (u.mode === "hard" || u.mode === "soft")
    case "KeysChanged":
      return "keys" in u && Array.isArray(u.keys) && u.keys.every((k) => typeof k === "string")
    case "Cleared":
      return "prefix" in u && typeof u.prefix === "string"
    case "Reset":
      return true
    default:
      return false
  }
}

/**
 * An in-process bus that many members can join (several tiers in one process, or tests
 * standing in for several processes). It never loses a message.
 *
 * @since 0.1.0
 * @category models
 */
export interface InProcess {
  /** A new member: it receives what the others publish. */
  readonly join: Effect.Effect<Service>
}

/**
 * Builds an in-process bus, shut down with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeInProcess: Effect.Effect<InProcess, never, Scope.Scope> = Effect.gen(function*() {
  const hub = yield* Effect.acquireRelease(
    PubSub.unbounded<{ readonly from: string; readonly message: Message }>(),
    PubSub.shutdown
  )
  let members = 0
  return {
    join: Effect.sync((): Service => {
      const id = `in-process-${++members}`
      return {
        id,
        publish: (message) => Effect.asVoid(PubSub.publish(hub, { from: id, message })),
        subscribe: Effect.gen(function*() {
          const from = yield* PubSub.subscribe(hub)
          const out = yield* Effect.acquireRelease(Queue.unbounded<Message>(), Queue.shutdown)
          yield* Queue.take(from).pipe(
            Effect.flatMap((item) => (item.from === id ? Effect.void : Queue.offer(out, item.message))),
            Effect.forever,
            Effect.interruptible,
            Effect.forkScoped
          )
          return out
        })
      }
    })
  }
})

/**
 * A one-member in-process bus, for a single process (nothing else to tell).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerInProcess: Layer.Layer<Bus> = Layer.scoped(Bus, Effect.flatMap(makeInProcess, (bus) => bus.join))
