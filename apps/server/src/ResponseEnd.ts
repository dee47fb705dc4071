/**
 * Every response of a node server completes, even when its connection is gone.
 *
 * `@effect/platform-node`'s server writes a response with `res.end(body, callback)` and waits
 * for the callback. Node calls that callback on `finish`, which never comes once the socket has
 * been destroyed — by the parser when a client sends garbage after a valid request on the same
 * connection, or by any reset that lands between the handler's start and its `end`. The
 * request's fiber then waits forever: it is never logged, never leaves the in-flight count,
 * and keeps the request, the response and its body on the heap. Here each response's `end`
 * callback also runs when the response closes first (at most once, either way).
 *
 * @since 0.1.0
 */
import type * as Http from "node:http"

type End = Http.ServerResponse["end"]

const settleOnClose = (response: Http.ServerResponse): void => {
  const end: (...args: Array<unknown>) => Http.ServerResponse = response.end.bind(response) as never
  response.end = ((...args: Array<unknown>) => {
    const callback = args[args.length - 1]
    if (typeof callback !== "function") return end(...args)
    let settled = false
    const settle = () => {
      if (settled) return
      settled = true
      response.off("close", settle)
      callback()
    }
    args[args.length - 1] = settle
    if (response.destroyed) process.nextTick(settle)
    else response.once("close", settle)
    return end(...args)
  }) as End
}

/**
 * Makes every response of `server` run its `end` callback when it finishes or when its
 * connection closes first. Install it before the platform's request handler.
 *
 * @since 0.1.0
 * @category constructors
 */
export const completeOnClose = (server: Http.Server): Http.Server =>
  server.prependListener("request", (_request: Http.IncomingMessage, response: Http.ServerResponse) =>
    settleOnClose(response)
  )
