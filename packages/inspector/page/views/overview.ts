/**
 * The first view: the cache at a glance (store, namespace, breaker, entries, hit ratio), the
 * live chart, and the most recently written entries.
 */
import { request } from "../api.js"
import * as Chart from "../chart.js"
import type { Context, View } from "../context.js"
import { count, h, percent, replace } from "../dom.js"
import type { EntryPage, Stats, Tick } from "../types.js"
import * as Detail from "./detail.js"
import { table } from "./table.js"

/** The shortest time between two refreshes of the recent entries caused by new writes. */
const WRITE_REFRESH_MILLIS = 3000

const card = (label: string, name: string) => {
  const value = h("strong", { class: "card-value", "data-card": name }, "…")
  const note = h("span", { class: "card-note" })
  return { element: h("div", { class: "card" }, h("span", { class: "card-label" }, label), value, note), value, note }
}

/** The overview. */
export const make = (context: Context): View => {
  const store = card("Store", "store")
  const namespace = card("Namespace", "namespace")
  const breaker = card("Breaker", "breaker")
  const entries = card("Entries", "entries")
  const ratio = card("Hit ratio", "hit-ratio")
  const failures = card("Fetch failures", "fetch-failures")
  const chart = Chart.make()
  const recent = h("div", { class: "recent" })
  const detail = h("section", { class: "panel", hidden: true, "aria-label": "entry" })
  const element = h(
    "section",
    { class: "view", "aria-labelledby": "overview-title" },
    h("h1", { id: "overview-title", class: "visually-hidden" }, "Overview"),
    h("div", { class: "cards" }, [store, namespace, breaker, entries, ratio, failures].map((c) => c.element)),
    h("section", { class: "block" }, h("h2", {}, "Reads per second"), chart.element),
    h(
      "section",
      { class: "block" },
      h(
        "div",
        { class: "block-head" },
        h("h2", {}, "Recently written"),
        h("button", { type: "button", class: "link", onclick: () => context.go("entries") }, "All entries →")
      ),
      recent,
      detail
    )
  )

  const showRatio = (hitRatio: number, hits: number, staleHits: number, misses: number) => {
    ratio.value.textContent = percent(hitRatio)
    ratio.value.dataset["value"] = String(hitRatio)
    ratio.note.textContent = `${count(hits + staleHits)} of ${count(hits + staleHits + misses)} reads`
  }
  const showBreaker = (state: "closed" | "open") => {
    breaker.value.textContent = state
    breaker.value.className = `card-value breaker-${state}`
    breaker.note.textContent = state === "open" ? "the store is skipped" : "the store is used"
  }

  let loading = false
  let again = false
  const refreshEntries = async (): Promise<void> => {
    if (loading) {
      again = true
      return
    }
    loading = true
    try {
      const page = await request<EntryPage>(context.session, "/cache/search?limit=10")
      entries.value.textContent = page.listing.listable ? count(page.total) : "—"
      entries.note.textContent = !page.listing.listable
        ? "this store cannot list keys"
        : page.listing.truncated
        ? `in the first ${count(page.listing.scanned)} keys`
        : "in the namespace"
      replace(
        recent,
        !page.listing.listable
          ? h(
            "p",
            { class: "notice-inline" },
            `This store cannot list its keys (${
              page.listing.reason ?? "unsupported"
            }): look an entry up by key in Entries.`
          )
          : page.entries.length === 0
          ? h("p", { class: "muted empty" }, "Nothing cached yet: read something through the API and it shows up here.")
          : table(
            page.entries,
            (key) => void Detail.show(context.session, detail, key, () => void refreshEntries()),
            (tag) => context.go("entries", { tag })
          )
      )
    } catch {
      // the notice (or the token prompt) already says why
    } finally {
      loading = false
      if (again) {
        again = false
        void refreshEntries()
      }
    }
  }

  let last: Tick | undefined
  let written = false
  let refreshedAt = 0
  context.listen((event) => {
    if (event._tag === "invalidation") return void refreshEntries()
    if (event._tag !== "tick") return
    chart.push(event)
    const t = event.totals
    showRatio(event.hitRatio, t.hits, t.staleHits, t.misses)
    showBreaker(event.breaker)
    failures.value.textContent = count(t.fetchFailures)
    if (
      last !== undefined && (last.totals.expirations !== t.expirations || last.totals.invalidations !== t.invalidations)
    ) {
      written = true
    }
    if (last === undefined || last.totals.writes !== t.writes) written = true
    last = event
    // New writes refresh the list at most every few ticks: a listing reads every entry's metadata.
    if (written && event.at - refreshedAt >= WRITE_REFRESH_MILLIS) {
      written = false
      refreshedAt = event.at
      void refreshEntries()
    }
  })

  return {
    element,
    show: () => {
      void request<Stats>(context.session, "/cache/stats").then((stats) => {
        store.value.textContent = stats.store
        store.note.textContent = stats.enabled ? "caching on" : "caching switched off"
        namespace.value.textContent = stats.namespace
        namespace.value.title = stats.namespace
        showBreaker(stats.breaker)
        showRatio(stats.hitRatio, stats.hits, stats.staleHits, stats.misses)
        failures.value.textContent = count(stats.fetchFailures)
        failures.note.textContent = "since start"
      }, () => undefined)
      void refreshEntries()
    }
  }
}
