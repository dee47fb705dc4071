/** What every view shares: the session, the live events, navigation. */
import type { Session } from "./api.js"
import type { CacheEvent } from "./types.js"

/** The views of the page. */
export type ViewName = "overview" | "entries" | "tags" | "events" | "graph"

/** A view: its element, and what to do when it is shown. */
export interface View {
  readonly element: HTMLElement
  readonly show: (params: URLSearchParams) => void
}

/** The shared context of the views. */
export interface Context {
  readonly session: Session
  /** Subscribes to the live events. */
  readonly listen: (listener: (event: CacheEvent) => void) => void
  /** Shows a view (and records it in the address, so back/forward work). */
  readonly go: (view: ViewName, params?: Record<string, string>) => void
}
