/** A confirmation dialog (a modal `<dialog>`: focus stays in it, Escape cancels) and short notices. */
import { h } from "./dom.js"

/** What a confirmation asks. */
export interface Question {
  readonly title: string
  readonly body: string
  readonly confirm: string
  readonly danger?: boolean
}

/** Asks; resolves true when confirmed. */
export const confirm = (question: Question): Promise<boolean> =>
  new Promise((resolve) => {
    const cancel = h("button", { type: "button", class: "button", value: "cancel" }, "Cancel")
    const ok = h("button", {
      type: "submit",
      class: `button ${question.danger === true ? "danger" : "primary"}`,
      value: "ok"
    }, question.confirm)
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": "dialog-title" },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "dialog-title" }, question.title),
        h("p", {}, question.body),
        h("div", { class: "actions" }, cancel, ok)
      )
    )
    cancel.addEventListener("click", () => dialog.close("cancel"))
    dialog.addEventListener("close", () => {
      dialog.remove()
      resolve(dialog.returnValue === "ok")
    })
    document.body.append(dialog)
    dialog.showModal()
    cancel.focus()
  })

let region: HTMLElement | undefined

/** Shows a short notice (announced to screen readers), gone after a few seconds. */
export const notify = (message: string, kind: "info" | "error" = "info"): void => {
  region ??= document.body.appendChild(h("div", { class: "notices", role: "status", "aria-live": "polite" }))
  const notice = h("div", { class: `notice ${kind}` }, message)
  region.append(notice)
  setTimeout(() => notice.remove(), kind === "error" ? 8000 : 4000)
}
