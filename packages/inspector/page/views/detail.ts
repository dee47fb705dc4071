/** One entry in full: its metadata and its decoded value as pretty JSON (large values cut, with "show all"). */
import { ApiError, request, type Session } from "../api.js"
import { confirm, notify } from "../dialog.js"
import { bytes, duration, h, replace, stateBadge } from "../dom.js"
import type { EntryInfo } from "../types.js"

/** Characters of a value shown before "show all". */
const PREVIEW = 4000

const pretty = (text: string): string => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

const field = (name: string, ...value: ReadonlyArray<Node | string>) => [h("dt", {}, name), h("dd", {}, ...value)]

/** Fills `panel` with the entry under `key`; `changed` runs after the entry is deleted. */
export const show = async (session: Session, panel: HTMLElement, key: string, changed: () => void): Promise<void> => {
  panel.hidden = false
  replace(panel, h("p", { class: "muted" }, `Loading ${key}…`))
  let info: EntryInfo
  try {
    info = await request<EntryInfo>(session, `/cache/entries/${encodeURIComponent(key)}`)
  } catch (error) {
    replace(
      panel,
      h(
        "p",
        { class: "error" },
        error instanceof ApiError && error.status === 404 ? `No entry under ${key} (any more).` : String(error)
      )
    )
    return
  }
  const value = pretty(info.value)
  const code = h("code", {}, value.length > PREVIEW ? value.slice(0, PREVIEW) + "\n…" : value)
  const more = value.length > PREVIEW
    ? h("button", {
      type: "button",
      class: "button",
      onclick: () => {
        code.textContent = value
        more?.remove()
      }
    }, `Show all (${bytes(value.length)})`)
    : null
  const close = h("button", { type: "button", class: "button", onclick: () => (panel.hidden = true) }, "Close")
  const remove = h("button", {
    type: "button",
    class: "button danger",
    onclick: async () => {
      if (
        !(await confirm({
          title: "Delete this entry?",
          body: `${key} is removed from the store; the next read fetches it again.`,
          confirm: "Delete",
          danger: true
        }))
      ) return
      await request(session, `/cache/entries/${encodeURIComponent(key)}`, { method: "DELETE" }).then(
        () => {
          notify(`Deleted ${key}`)
          panel.hidden = true
          changed()
        },
        (error: unknown) => notify(String(error), "error")
      )
    }
  }, "Delete")
  replace(
    panel,
    h(
      "header",
      { class: "panel-head" },
      h("h2", {}, h("code", {}, info.key)),
      h("div", { class: "actions" }, remove, close)
    ),
    h(
      "dl",
      { class: "facts" },
      field("State", stateBadge(info.state), info.failed ? " (a cached failure)" : ""),
      field("Tags", info.tags.length === 0 ? "none" : info.tags.join(", ")),
      field("Written", new Date(info.createdAt).toLocaleString()),
      field("Age", duration(info.ageMillis)),
      field("TTL", duration(info.ttlMillis)),
      field("Grace", duration(info.graceMillis)),
      field("Size", bytes(info.size)),
      field("Stamp", String(info.stamp)),
      field("Store key", h("code", {}, info.storeKey))
    ),
    h("pre", { class: "value", tabindex: 0, "aria-label": "value" }, code),
    more
  )
  close.focus()
}
