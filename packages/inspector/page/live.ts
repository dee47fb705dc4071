/**
 * The live connection: reads `GET /cache/events` (Server-Sent Events) with `fetch`, so the
 * bearer token travels in a header rather than a URL, and hands each event to the listeners.
 * The server pushes; the page never polls. A dropped stream reconnects with a growing delay.
 */
import { ApiError, type Session } from "./api.js"
import type { CacheEvent } from "./types.js"

/** The connection's state, as the header's indicator shows it. */
export type Status = "connecting" | "live" | "offline"

/** Listeners of the live connection. */
export interface Listeners {
  readonly event: (event: CacheEvent) => void
  readonly status: (status: Status) => void
  readonly refused: (error: ApiError) => void
}

const parse = (block: string): CacheEvent | "open" | undefined => {
  let name = "message"
  let data = ""
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim()
    else if (line.startsWith("data:")) data += line.slice(5).trim()
  }
  if (name === "open") return "open"
  if (data === "") return undefined
  try {
    return JSON.parse(data) as CacheEvent
  } catch {
    return undefined
  }
}

/** Connects; returns the function that disconnects. */
export const connect = (session: Session, listeners: Listeners): () => void => {
  let stopped = false
  let controller = new AbortController()
  let retry = 1000

  const run = async (): Promise<void> => {
    listeners.status("connecting")
    controller = new AbortController()
    const response = await fetch(`${session.api}/cache/events`, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${session.token}` },
      signal: controller.signal
    })
    if (response.status === 401 || response.status === 403) {
      stopped = true
      listeners.refused(new ApiError(response.status, await response.text()))
      return
    }
    if (!response.ok || response.body === null) throw new Error(`events: ${response.status}`)
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ""
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      buffer += value.replace(/\r\n/g, "\n")
      let end = buffer.indexOf("\n\n")
      while (end !== -1) {
        const event = parse(buffer.slice(0, end))
        buffer = buffer.slice(end + 2)
        end = buffer.indexOf("\n\n")
        if (event === "open") {
          retry = 1000
          listeners.status("live")
        } else if (event !== undefined) listeners.event(event)
      }
    }
  }

  const loop = (): void => {
    run().catch(() => undefined).then(() => {
      if (stopped) return
      listeners.status("offline")
      setTimeout(loop, retry)
      retry = Math.min(retry * 2, 15_000)
    }, () => undefined)
  }
  loop()
  return () => {
    stopped = true
    controller.abort()
  }
}
