import { Tag } from "@cachet/core"
import { describe, expect, it } from "@effect/vitest"
import { Equal, FastCheck as fc } from "effect"

const segments = fc.array(fc.string({ unit: "binary" }), { minLength: 1, maxLength: 5 })

describe("Tag", () => {
  it.prop("the string form is lossless", [segments], ([path]) => {
    const tag = Tag.make(path[0]!, ...path.slice(1))
    expect(Tag.segments(Tag.parse(Tag.toString(tag)))).toEqual(path)
    expect(Equal.equals(Tag.parse(Tag.toString(tag)), tag)).toBe(true)
  })

  it.prop("prefixes are exactly the ancestors, root first", [segments], ([path]) => {
    const text = Tag.toString(Tag.make(path[0]!, ...path.slice(1)))
    const expected = path.map((_, i) => Tag.toString(Tag.make(path[0]!, ...path.slice(1, i + 1))))
    expect(Tag.prefixes(text)).toEqual(expected)
  })

  it("builders follow the schema: wild levels are functions that are also the level's tag", () => {
    const tags = Tag.builders(Tag.at("users", () => Tag.wild.at("posts", () => Tag.wild)).at("settings"))
    expect(Tag.toString(tags.users)).toBe("users")
    expect(Tag.toString(tags.users(1).posts)).toBe("users/1/posts")
    expect(Tag.toString(tags.users("1").posts("p1"))).toBe("users/1/posts/p1")
    expect(Tag.toString(tags.settings)).toBe("settings")
    expect(Tag.normalize([tags.settings, "settings", tags.users(1)])).toEqual(["settings", "users/1"])
  })
})
