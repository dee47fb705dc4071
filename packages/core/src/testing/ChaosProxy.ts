/**
 * A fault-injecting TCP proxy for chaos tests: clients connect to the proxy, which forwards to
 * the real server, and a test changes at any time how the link between them misbehaves —
 * latency and jitter on every chunk (order kept), connections reset at once or dropped at
 * random, a blackholed partition (nothing is forwarded until it heals; held bytes are then
 * delivered, as TCP would after retransmissions), a slow close (half-closed, destroyed later).
 *
 * @since 0.1.0
 */
import * as Net from "node:net"

import type { Scope } from "effect"
import { Effect } from "effect"

/**
 * How the link misbehaves now; every field may be changed at any time.
 *
 * @since 0.1.0
 * @category models
 */
export interface Faults {
  /** Added to every chunk, in milliseconds. */
  latencyMillis: number
  /** Up to this much more, at random, per chunk (order is kept). */
  jitterMillis: number
  /** Probability that a chunk's connection is destroyed instead of forwarding it (0..1). */
  dropRate: number
  /** Nothing is forwarded (new connections are accepted and held) until it is false again. */
  blackhole: boolean
}

/**
 * A running proxy.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChaosProxy {
  /** The port clients connect to (on 127.0.0.1). */
  readonly port: number
  /** The faults in force; mutate them. */
  readonly faults: Faults
  /** Destroys every open connection now (the clients see a reset). */
  readonly reset: Effect.Effect<void>
  /** Half-closes every open connection now and destroys it `afterMillis` later. */
  readonly slowClose: (afterMillis: number) => Effect.Effect<void>
  /** Back to a clean link (no latency, no drops, no blackhole). */
  readonly heal: Effect.Effect<void>
  /** Counts of what was done: connections, chunks forwarded, connections reset or dropped. */
  readonly counts: () => {
    readonly connections: number
    readonly chunks: number
    readonly resets: number
    readonly drops: number
  }
}

/** One direction of a link: chunks wait in order until due (and while the link is blackholed). */
interface Pipe {
  readonly to: Net.Socket
  readonly queue: Array<{ readonly at: number; readonly chunk: Buffer }>
  timer: ReturnType<typeof setTimeout> | undefined
}

interface Link {
  readonly client: Net.Socket
  readonly server: Net.Socket
  readonly pipes: ReadonlyArray<Pipe>
}

/**
 * Starts a proxy to `target` on a free loopback port, closed with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (target: { readonly host: string; readonly port: number }): Effect.Effect<
  ChaosProxy,
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const faults: Faults = { latencyMillis: 0, jitterMillis: 0, dropRate: 0, blackhole: false }
    const links = new Set<Link>()
    const counts = { connections: 0, chunks: 0, resets: 0, drops: 0 }

    const destroy = (link: Link) => {
      links.delete(link)
      for (const pipe of link.pipes) clearTimeout(pipe.timer)
      link.client.destroy()
      link.server.destroy()
    }

    // Writes what is due, in order; waits for the head otherwise. Nothing moves while blackholed.
    const drain = (pipe: Pipe): void => {
      pipe.timer = undefined
      if (faults.blackhole || pipe.to.destroyed) return
      const time = Date.now()
      while (pipe.queue.length > 0 && pipe.queue[0]!.at <= time) pipe.to.write(pipe.queue.shift()!.chunk)
      if (pipe.queue.length > 0) pipe.timer = setTimeout(() => drain(pipe), pipe.queue[0]!.at - time)
    }

    const forward = (link: Link, pipe: Pipe) => (chunk: Buffer) => {
      if (faults.dropRate > 0 && Math.random() < faults.dropRate) {
        counts.drops++
        return destroy(link)
      }
      counts.chunks++
      const last = pipe.queue.length > 0 ? pipe.queue[pipe.queue.length - 1]!.at : 0
      const at = Math.max(Date.now() + faults.latencyMillis + Math.random() * faults.jitterMillis, last)
      pipe.queue.push({ at, chunk })
      if (pipe.timer === undefined && !faults.blackhole) drain(pipe)
    }

    const server = Net.createServer((client) => {
      counts.connections++
      const upstream = Net.connect({ host: target.host, port: target.port })
      const up: Pipe = { to: upstream, queue: [], timer: undefined }
      const down: Pipe = { to: client, queue: [], timer: undefined }
      const link: Link = { client, server: upstream, pipes: [up, down] }
      links.add(link)
      client.on("data", forward(link, up))
      upstream.on("data", forward(link, down))
      const close = () => destroy(link)
      client.on("error", close)
      upstream.on("error", close)
      client.on("close", close)
      upstream.on("close", close)
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
        })
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const link of links) destroy(link)
          server.close(() => resume(Effect.void))
        })
    )

    return {
      port,
      faults,
      reset: Effect.sync(() => {
        for (const link of links) {
          counts.resets++
          link.client.resetAndDestroy()
          destroy(link)
        }
      }),
      slowClose: (afterMillis) =>
        Effect.sync(() => {
          for (const link of [...links]) {
            links.delete(link)
            link.client.end()
            link.server.end()
            setTimeout(() => {
              link.client.destroy()
              link.server.destroy()
            }, afterMillis)
          }
        }),
      heal: Effect.sync(() => {
        faults.latencyMillis = 0
        faults.jitterMillis = 0
        faults.dropRate = 0
        faults.blackhole = false
        for (const link of links) for (const pipe of link.pipes) if (pipe.timer === undefined) drain(pipe)
      }),
      counts: () => ({ ...counts })
    }
  })
