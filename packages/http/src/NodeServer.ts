/**
 * Every response of a node server completes, even when its connection is gone.
 *
 * `@effect/platform-node`'s server writes a response with `res.end(body, callback)` and waits
 * for the callback. Node calls that callback on `finish`, which never comes once the socket has
 * been destroyed — by the parser when a client sends garbage after a valid request on the same
 * connection, or by any reset that lands between the handler's start and its `end`. The
 * request's fiber then waits forever: it is never logged, never leaves the in-flight count,
 * and keeps the request, the response and its body on the heap. Here each response's `end`
 * callback runs on the response's `close` instead, which comes once in either case (right after
 * `finish`, or when the connection goes first) — by the server's response class, so nothing is
 * patched or wrapped per request.
 *
 * (`@cachet/http/node`: the only module of the package that loads `node:http`.)
 *
 * @since 0.1.0
 */
import * as Http from "node:http"

const end = Http.ServerResponse.prototype.end as (
  this: Http.ServerResponse,
  ...args: Array<unknown>
) => Http.ServerResponse

/**
 * A response whose `end` callback runs when it closes: after it has finished, or when its
 * connection went first (once, either way).
 *
 * @since 0.1.0
 * @category models
 */
export class SettlingResponse<Request extends Http.IncomingMessage = Http.IncomingMessage>
  extends Http.ServerResponse<Request>
{
  override end(...args: Array<unknown>): this {
    const callback = args[args.length - 1]
    if (typeof callback !== "function") return end.apply(this, args) as this
    // `close` comes once, after `finish` or when the connection goes first: the callback runs then.
    args.pop()
    if (this.destroyed) process.nextTick(callback as () => void)
    else this.once("close", callback as () => void)
    return end.apply(this, args) as this
  }
}

/**
 * A node server whose every response runs its `end` callback once it has closed, finished or
 * not (its responses are `SettlingResponse`s).
 *
 * @since 0.1.0
 * @category constructors
 */
export const createServer = (): Http.Server => Http.createServer({ ServerResponse: SettlingResponse })
