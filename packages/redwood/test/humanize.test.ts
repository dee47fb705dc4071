import { describe, expect, it } from "@effect/vitest"

import { display, humanize, titleCase } from "../src/internal/humanize.js"

// Outputs checked against humanize-string 2.1.0 + title-case 3.0.3, the packages RedwoodJS 8 uses.
describe("RedwoodJS's humanising of field names", () => {
  it.each([
    ["email", "Email"],
    ["my_email", "My Email"],
    ["myEmail", "My Email"],
    ["terms_of_purchase", "Terms of Purchase"],
    ["termsOfPurchase", "Terms of Purchase"],
    ["selection_of_widgets", "Selection of Widgets"],
    ["the_text", "The Text"],
    ["Email Address", "Email Address"],
    ["XMLHttpRequest", "Xml Http Request"],
    ["PIN", "Pin"],
    ["__weird--name__", "Weird Name"],
    ["is_it_on", "Is It On"],
    ["an_apple_a_day", "An Apple a Day"],
    ["url:thing", "Url:Thing"],
    ["número_de_teléfono", "Número De Teléfono"],
    ["2.5", "2.5"],
    ["", ""]
  ])("%j reads %j", (name, expected) => {
    expect(display(name)).toBe(expected)
  })

  it("humanize splits words, title case leaves small words lower case inside a title", () => {
    expect(humanize("firstName")).toBe("First name")
    expect(titleCase("gone with the wind")).toBe("Gone with the Wind")
    expect(titleCase("what it is for")).toBe("What It Is For")
  })
})
