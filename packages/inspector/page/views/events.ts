/**
 * The live feed: invalidations, expiries, fetch failures and breaker changes as the server pushes them, with pause and
 * clear.
 */
import type { Context, View } from "../context.js"
import { clock, count, h, replace } from "../dom.js"
import type { CacheEvent } from "../types.js"

const KEEP = 500

const describe = (
  event: Exclude<CacheEvent, { readonly _tag: "tick" }>
): [kind: string, label: string, text: string] => {
  switch (event._tag) {
    case "invalidation":
      return event.mode === "hard"
        ? ["invalidation", "invalidated", event.tags.join(", ")]
        : ["expiry", "expired", event.tags.join(", ")]
    case "fetchFailures":
      return ["failure", "fetch failed", `${count(event.count)} ${event.count === 1 ? "fetch" : "fetches"} failed`]
    case "breaker":
      return [
        "breaker",
        `breaker ${event.state}`,
        event.state === "open" ? "the store is skipped but for probes" : "the store is used again"
      ]
  }
}

/** The events view; it records events from the start, whether shown or not. */
export const make = (context: Context): View => {
  const list = h("ol", { class: "feed", "aria-live": "polite", "aria-label": "events, newest first" })
  const empty = h(
    "p",
    { class: "muted empty" },
    "No events yet. Invalidations, expiries, fetch failures and breaker changes appear here as they happen."
  )
  let paused = false
  let held: Array<HTMLElement> = []
  const pause = h("button", { type: "button", class: "button", "aria-pressed": "false" }, "Pause")
  const clear = h("button", { type: "button", class: "button" }, "Clear")
  const element = h(
    "section",
    { class: "view", "aria-labelledby": "events-title" },
    h(
      "div",
      { class: "block-head" },
      h("h1", { id: "events-title" }, "Events"),
      h("div", { class: "actions" }, pause, clear)
    ),
    empty,
    list
  )
  const flush = (): void => {
    list.prepend(...held.reverse())
    held = []
    while (list.childElementCount > KEEP) list.lastElementChild?.remove()
    empty.hidden = list.childElementCount > 0
  }
  pause.addEventListener("click", () => {
    paused = !paused
    pause.setAttribute("aria-pressed", String(paused))
    if (!paused) flush()
    pause.textContent = paused ? "Resume" : "Pause"
  })
  clear.addEventListener("click", () => {
    held = []
    replace(list)
    empty.hidden = false
    if (paused) pause.textContent = "Resume"
  })
  context.listen((event) => {
    if (event._tag === "tick") return
    const [kind, label, text] = describe(event)
    const item = h(
      "li",
      { class: `event event-${kind}`, "data-kind": kind },
      h("time", { datetime: new Date(event.at).toISOString() }, clock(event.at)),
      h("span", { class: "badge" }, label),
      h("span", { class: "event-text" }, text)
    )
    held.push(item)
    if (paused) pause.textContent = `Resume (${count(held.length)} new)`
    else flush()
  })
  return { element, show: () => undefined }
}
