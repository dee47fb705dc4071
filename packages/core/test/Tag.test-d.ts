/**
 * Type tests of the tag hierarchy: `Tag.at` / `Tag.wild` declare it, `Tag.builders` derives a
 * builder chain typed from it, so only the paths the hierarchy declares compile.
 */
import { Tag } from "@cachet/core"
import { describe, expectTypeOf, it } from "vitest"

const schema = Tag.at("users", () => Tag.wild.at("posts", () => Tag.wild.at("comments", () => Tag.wild)).at("profile"))
  .at("settings")
  .at("teams", () => Tag.at("active").at("archived"))

const tags = Tag.builders(schema)

describe("Tag.builders", () => {
  it("has one builder per root level, and nothing else", () => {
    expectTypeOf<keyof typeof tags>().toEqualTypeOf<"users" | "settings" | "teams">()
    // @ts-expect-error `posts` is not a root level
    tags.posts
  })

  it("a wild level is a function of the id (string or number) and is itself a tag", () => {
    expectTypeOf(tags.users).toExtend<Tag.Tag>()
    expectTypeOf(tags.users).parameter(0).toEqualTypeOf<string | number>()
    expectTypeOf(tags.users(1)).toExtend<Tag.Tag>()
    expectTypeOf(tags.users("1").posts("p1").comments("c1")).toExtend<Tag.Tag>()
    // @ts-expect-error an id is a string or a number
    tags.users(true)
    // @ts-expect-error a wild level takes an id
    tags.users()
  })

  it("the levels below an id are those the hierarchy declares", () => {
    expectTypeOf(tags.users(1)).toHaveProperty("posts")
    expectTypeOf(tags.users(1)).toHaveProperty("profile")
    // @ts-expect-error `comments` lies below a post, not below a user
    tags.users(1).comments
    // @ts-expect-error `profile` is a leaf: nothing below it
    tags.users(1).profile.posts
    // @ts-expect-error `profile` is a leaf, not a level of ids
    tags.users(1).profile("x")
    // @ts-expect-error below a comment id there is nothing
    tags.users(1).posts(2).comments(3).replies
  })

  it("a static level is a tag with its children, not a function", () => {
    expectTypeOf(tags.settings).toExtend<Tag.Tag>()
    expectTypeOf(tags.teams.active).toExtend<Tag.Tag>()
    expectTypeOf(tags.teams).not.toBeFunction()
    // @ts-expect-error `teams` is a static level: no id
    tags.teams("t1")
    // @ts-expect-error `teams` has `active` and `archived` only
    tags.teams.deleted
  })

  it("every builder's tag is accepted where tags are", () => {
    const input: Tag.Input = [tags.users, tags.users(1).posts, tags.settings, "users/1"]
    expectTypeOf(input).toExtend<Tag.Input>()
  })
})

describe("Tag.at / Tag.wild", () => {
  it("a level name is a literal", () => {
    expectTypeOf(Tag.at("users")).toEqualTypeOf<Tag.Static<{ readonly users: Tag.Leaf }>>()
  })

  it("builders take a root built with Tag.at, not a wild level", () => {
    // @ts-expect-error the root of a hierarchy is a `Tag.at(...)`
    Tag.builders(Tag.wild)
  })

  it("Tag.make takes at least one segment", () => {
    expectTypeOf(Tag.make("users", "1")).toEqualTypeOf<Tag.Tag>()
    // @ts-expect-error a tag has at least one segment
    Tag.make()
  })
})
