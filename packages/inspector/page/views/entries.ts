/** The entries: search by key prefix and tag, a page at a time, with the detail of one entry and the tag's actions. */
import { invalidate, query, request } from "../api.js"
import type { Context, View } from "../context.js"
import { confirm, notify } from "../dialog.js"
import { count, h, replace } from "../dom.js"
import type { EntryPage } from "../types.js"
import * as Detail from "./detail.js"
import { table } from "./table.js"

const PAGE = 50

/** Asks to expire (soft) or invalidate (hard) a tag, naming how many entries it covers; true when done. */
export const tagAction = async (context: Context, tag: string, entries: number, soft: boolean): Promise<boolean> => {
  const covers = `${count(entries)} ${entries === 1 ? "entry" : "entries"}`
  const ok = await confirm(
    soft
      ? {
        title: `Expire ${tag}?`,
        body: `This covers ${covers} (tagged ${tag} or below). They turn stale now: still served during their grace ` +
          `while one refresh runs.`,
        confirm: `Expire ${covers}`
      }
      : {
        title: `Invalidate ${tag}?`,
        body: `This covers ${covers} (tagged ${tag} or below). They are never served again, not even on errors; the ` +
          `next reads fetch.`,
        confirm: `Invalidate ${covers}`,
        danger: true
      }
  )
  if (!ok) return false
  try {
    await invalidate(context.session, tag, soft)
    notify(`${soft ? "Expired" : "Invalidated"} ${tag} (${covers})`)
    return true
  } catch (error) {
    notify(String(error instanceof Error ? error.message : error), "error")
    return false
  }
}

/** The entries view. */
export const make = (context: Context): View => {
  const prefix = h("input", {
    type: "search",
    name: "prefix",
    placeholder: "key prefix, e.g. posts:",
    autocomplete: "off",
    spellcheck: false
  })
  const tag = h("input", {
    type: "search",
    name: "tag",
    placeholder: "tag, e.g. users/3",
    autocomplete: "off",
    spellcheck: false
  })
  const form = h(
    "form",
    { class: "search", role: "search" },
    h("label", {}, h("span", {}, "Key prefix"), prefix),
    h("label", {}, h("span", {}, "Tag"), tag),
    h("button", { type: "submit", class: "button primary" }, "Search"),
    h("button", {
      type: "button",
      class: "button",
      onclick: () => context.go("entries")
    }, "Reset")
  )
  const tagBar = h("div", { class: "tag-bar", hidden: true })
  const status = h("p", { class: "result-status", "aria-live": "polite" })
  const results = h("div", { class: "results" })
  const pager = h("nav", { class: "pager", "aria-label": "pages" })
  const detail = h("section", { class: "panel", hidden: true, "aria-label": "entry" })
  const element = h(
    "section",
    { class: "view", "aria-labelledby": "entries-title" },
    h("h1", { id: "entries-title", class: "visually-hidden" }, "Entries"),
    form,
    tagBar,
    status,
    results,
    pager,
    detail
  )

  let current = { prefix: "", tag: "", offset: 0 }
  form.addEventListener("submit", (event) => {
    event.preventDefault()
    context.go("entries", { prefix: prefix.value.trim(), tag: tag.value.trim() })
  })

  const load = async (): Promise<void> => {
    const { prefix: p, tag: t, offset } = current
    status.textContent = "Searching…"
    let page: EntryPage
    try {
      page = await request<EntryPage>(
        context.session,
        `/cache/search${query({ prefix: p, tag: t, offset, limit: PAGE })}`
      )
    } catch (error) {
      status.textContent = `Search failed: ${error instanceof Error ? error.message : String(error)}`
      return
    }
    if (!page.listing.listable) {
      status.textContent = ""
      const key = h("input", { type: "search", placeholder: "full key", "aria-label": "key" })
      replace(
        results,
        h(
          "p",
          { class: "notice-inline" },
          `This store cannot list its keys (${
            page.listing.reason ?? "unsupported"
          }), so there is no table. Look one entry up by its key:`
        ),
        h(
          "form",
          {
            class: "search",
            onsubmit: (event: SubmitEvent) => {
              event.preventDefault()
              void Detail.show(context.session, detail, key.value.trim(), () => void load())
            }
          },
          key,
          h("button", { type: "submit", class: "button" }, "Open")
        )
      )
      replace(pager)
      return
    }
    const what = [p === "" ? "" : `key prefix ${p}`, t === "" ? "" : `tag ${t}`].filter((x) => x !== "").join(" and ")
    status.textContent = page.total === 0
      ? `No entries${what === "" ? "" : ` for ${what}`}.`
      : `${count(page.total)} ${page.total === 1 ? "entry" : "entries"}${
        what === "" ? "" : ` for ${what}`
      }, most recently written first` +
        (page.listing.truncated ? ` (within the first ${count(page.listing.scanned)} keys)` : "") + "."
    status.dataset["total"] = String(page.total)
    replace(
      results,
      page.entries.length === 0
        ? null
        : table(
          page.entries,
          (key) => void Detail.show(context.session, detail, key, () => void load()),
          (tag) => context.go("entries", { tag })
        )
    )
    const last = Math.min(page.offset + PAGE, page.total)
    replace(
      pager,
      page.total <= PAGE ? null : [
        h("button", {
          type: "button",
          class: "button",
          disabled: page.offset === 0,
          onclick: () => context.go("entries", { prefix: p, tag: t, offset: String(Math.max(0, page.offset - PAGE)) })
        }, "← Previous"),
        h("span", {}, `${count(page.offset + 1)}–${count(last)} of ${count(page.total)}`),
        h("button", {
          type: "button",
          class: "button",
          disabled: last >= page.total,
          onclick: () => context.go("entries", { prefix: p, tag: t, offset: String(page.offset + PAGE) })
        }, "Next →")
      ]
    )
    tagBar.hidden = t === ""
    if (t !== "") {
      const act = (soft: boolean) => async () => {
        if (await tagAction(context, t, page.total, soft)) void load()
      }
      replace(
        tagBar,
        h(
          "span",
          {},
          "Tag ",
          h("code", {}, t),
          ` covers ${count(page.total)} ${page.total === 1 ? "entry" : "entries"}`
        ),
        h("button", { type: "button", class: "button", onclick: act(true) }, "Expire (soft)"),
        h("button", { type: "button", class: "button danger", onclick: act(false) }, "Invalidate (hard)")
      )
    }
  }

  context.listen((event) => {
    if (event._tag === "invalidation" && element.isConnected) void load()
  })

  return {
    element,
    show: (params) => {
      current = {
        prefix: params.get("prefix") ?? "",
        tag: params.get("tag") ?? "",
        offset: Number(params.get("offset") ?? 0) || 0
      }
      prefix.value = current.prefix
      tag.value = current.tag
      detail.hidden = true
      void load()
    }
  }
}
