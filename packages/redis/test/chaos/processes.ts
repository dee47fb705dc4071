/**
 * The chaos suite's app processes, seen from the parent: each is `node.ts` forked with the
 * workspace's source condition and tsx, killed with the scope. The parent answers their fetches
 * from the history's database, so what each read returned is known.
 */
import { fork } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

import type { Scope } from "effect"
import { Deferred, Effect, FiberId } from "effect"

import type { History } from "./history.js"
import type { NodeConfig, ToNode, ToParent } from "./protocol.js"

const here = Path.dirname(fileURLToPath(import.meta.url))

/** An app process: reads and invalidates keys in its own cache. */
export interface AppProcess {
  /** Reads a key through the cache; succeeds with the id of the fetch whose value it returned. */
  readonly read: (key: number) => Effect.Effect<number, Error>
  /** Invalidates a key's tag (after the parent bumped its row). */
  readonly invalidate: (key: number) => Effect.Effect<void, Error>
  /** The process's heap used after a full collection, in bytes. */
  readonly heapUsed: Effect.Effect<number, Error>
}

type Request = ToNode extends infer R ? R extends { readonly rid: number } ? Omit<R, "rid"> : never : never

/** Forks app process `proc` and waits until its cache is built. */
export const spawn = (
  proc: number,
  config: NodeConfig,
  history: History
): Effect.Effect<AppProcess, never, Scope.Scope> =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        fork(Path.join(here, "node.ts"), [], {
          cwd: Path.join(here, "..", ".."),
          // --expose-gc: the heap is measured after a full collection (what is retained, not garbage).
          execArgv: ["--expose-gc", "--conditions=@cachet/source", "--import", "tsx"],
          env: { ...process.env, CACHET_CHAOS_NODE: JSON.stringify(config) },
          stdio: ["ignore", "inherit", "inherit", "ipc"]
        })
      ),
      (child) => Effect.sync(() => child.kill("SIGKILL"))
    )
    const ready = yield* Deferred.make<void, Error>()
    const pending = new Map<number, Deferred.Deferred<number, Error>>()
    let gone: Error | undefined
    child.on("message", (message: ToParent) => {
      switch (message._tag) {
        case "ready":
          return Deferred.unsafeDone(ready, Effect.void)
        case "fetch":
          return void child.send({ _tag: "fetched", rid: message.rid, id: history.fetch(proc, message.key) })
        case "done": {
          const deferred = pending.get(message.rid)
          pending.delete(message.rid)
          if (deferred === undefined) return
          return Deferred.unsafeDone(
            deferred,
            "error" in message ? Effect.fail(new Error(message.error)) : Effect.succeed(message.value)
          )
        }
      }
    })
    child.once("exit", (code, signal) => {
      gone = new Error(`app process ${proc} exited (${code ?? signal})`)
      Deferred.unsafeDone(ready, Effect.fail(gone))
      for (const deferred of pending.values()) Deferred.unsafeDone(deferred, Effect.fail(gone))
      pending.clear()
    })
    yield* Deferred.await(ready).pipe(
      Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error(`app process ${proc} did not start`) }),
      Effect.orDie
    )
    let next = 0
    const call = (request: Request) =>
      Effect.suspend(() => {
        if (gone !== undefined) return Effect.fail(gone)
        const rid = next++
        const deferred = Deferred.unsafeMake<number, Error>(FiberId.none)
        pending.set(rid, deferred)
        child.send({ ...request, rid })
        return Deferred.await(deferred)
      })
    return {
      read: (key) => call({ _tag: "read", key }),
      invalidate: (key) => Effect.asVoid(call({ _tag: "invalidate", key })),
      heapUsed: call({ _tag: "heap" })
    }
  })
