import type { Scope } from "effect"
import { Effect } from "effect"
import { type Cluster, Redis } from "ioredis"

import type * as RedisClient from "../RedisClient.js"

/**
 * A pub/sub subscriber on a cluster. Classic pub/sub is broadcast to every node, so one
 * connection to any node hears every message. When that node goes away, the subscriber moves to
 * the next known node (after a backoff capped at 2 s) and calls `onReset` once subscribed
 * again, since messages may have been published meanwhile. Returns once the first subscription
 * is in place (or after 2 s, the cluster being down: it keeps trying in the background).
 * @internal
 */
export const subscribe = (
  client: Cluster,
  options: RedisClient.Options,
  channel: string,
  onMessage: (text: string) => void,
  onReset: () => void
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      let subscribed: () => void = () => {}
      const first = new Promise<void>((resolve) => subscribed = resolve)
      let closed = false
      let lost = false
      let attempt = 0
      let current: Redis | undefined
      let timer: ReturnType<typeof setTimeout> | undefined
      const candidates = () => {
        const known = client.nodes("all").flatMap(({ options: { host, port } }) =>
          host === undefined || port === undefined ? [] : [{ host, port }]
        )
        return known.length > 0 ? known : (options.cluster ?? [])
      }
      const open = (): void => {
        timer = undefined
        if (closed) return
        const nodes = candidates()
        const node = nodes[attempt++ % Math.max(1, nodes.length)]
        if (node === undefined) return
        const subscriber = new Redis({
          host: node.host,
          port: node.port,
          ...(options.username === undefined ? {} : { username: options.username }),
          ...(options.password === undefined ? {} : { password: options.password }),
          lazyConnect: true,
          retryStrategy: null,
          connectTimeout: 2_000,
          enableOfflineQueue: true
        })
        current = subscriber
        subscriber.on("error", () => {})
        subscriber.on("message", (from: string, text: string) => {
          if (from === channel) onMessage(text)
        })
        subscriber.once("end", () => {
          if (closed) return
          lost = true
          timer = setTimeout(open, Math.min(2_000, 50 * attempt))
        })
        subscriber.connect()
          .then(() => subscriber.subscribe(channel))
          .then(() => {
            attempt = 0
            subscribed()
            if (!lost) return
            lost = false
            onReset()
          })
          .catch(() => subscriber.disconnect())
      }
      open()
      return {
        first,
        close: () => {
          closed = true
          if (timer !== undefined) clearTimeout(timer)
          current?.disconnect()
        }
      }
    }),
    ({ close }) => Effect.sync(close)
  ).pipe(
    Effect.flatMap(({ first }) => Effect.promise(() => first).pipe(Effect.timeout(2_000), Effect.ignore))
  )
