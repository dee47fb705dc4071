import { Validate } from "@cachet/validate"
import { HttpApiSchema } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, JSONSchema, Schema } from "effect"

type Expected = "pass" | { readonly rule: Validate.Rule; readonly message: string }

interface Case {
  readonly example: string
  readonly value: unknown
  readonly name?: string
  readonly recipe: Validate.Recipe
  readonly expected: Expected
}

const fail = (rule: Validate.Rule, message: string): Expected => ({ rule, message })

/** The `custom` examples close over an `isInvalid` flag. */
const customRecipe = (isInvalid: boolean, message?: string): Validate.Recipe => ({
  custom: {
    with: () => {
      if (isInvalid) throw new Error("Value is invalid")
    },
    ...(message === undefined ? {} : { message })
  }
})

const firstName: Validate.Recipe = {
  presence: true,
  exclusion: { in: ["Admin", "Owner"], message: "That name is reserved, sorry!" },
  length: { min: 2, max: 255 }
}

const multiple: Validate.Recipe = {
  presence: true,
  exclusion: { in: ["Admin", "Owner"], message: "Sorry that name is reserved" },
  length: { min: 2, max: 255, message: "Please provide a name at least two characters long, but no more than 255" },
  format: { pattern: /^[A-Za-z]+$/, message: "Name can only contain letters" }
}

const phone = /^[0-9-]{10,12}$/

/**
 * Every example of RedwoodJS's "Service Validations" documentation, with values on both sides
 * of each rule. Where RedwoodJS's own output differs (acronym names, `acceptance` with only a
 * `message`, negative odd numbers), the case says so.
 */
const cases: ReadonlyArray<Case> = [
  // the createUser example at the top of the page
  { example: "intro firstName", value: "Rob", name: "First name", recipe: firstName, expected: "pass" },
  {
    example: "intro firstName",
    value: null,
    name: "First name",
    recipe: firstName,
    expected: fail("presence", "First name must be present")
  },
  {
    example: "intro firstName",
    value: "Admin",
    name: "First name",
    recipe: firstName,
    expected: fail("exclusion", "That name is reserved, sorry!")
  },
  {
    example: "intro firstName",
    value: "R",
    name: "First name",
    recipe: firstName,
    expected: fail("minLength", "First name must have at least 2 characters")
  },
  {
    example: "intro firstName",
    value: "R".repeat(256),
    name: "First name",
    recipe: firstName,
    expected: fail("maxLength", "First name must have no more than 255 characters")
  },
  // two- and three-argument forms
  {
    example: "two-argument email",
    value: "rob@redwoodjs.com",
    recipe: { email: { message: "Please provide a valid email address" } },
    expected: "pass"
  },
  {
    example: "two-argument email",
    value: "rob",
    recipe: { email: { message: "Please provide a valid email address" } },
    expected: fail("email", "Please provide a valid email address")
  },
  {
    example: "three-argument email",
    value: "rob",
    name: "Email Address",
    recipe: { email: true },
    expected: fail("email", "Email Address must be formatted like an email address")
  },
  // multiple validations
  { example: "multiple", value: "Rob", name: "Name", recipe: multiple, expected: "pass" },
  {
    example: "multiple",
    value: undefined,
    name: "Name",
    recipe: multiple,
    expected: fail("presence", "Name must be present")
  },
  {
    example: "multiple",
    value: "Owner",
    name: "Name",
    recipe: multiple,
    expected: fail("exclusion", "Sorry that name is reserved")
  },
  {
    example: "multiple",
    value: "R",
    name: "Name",
    recipe: multiple,
    expected: fail("minLength", "Please provide a name at least two characters long, but no more than 255")
  },
  {
    example: "multiple",
    value: "Rob1",
    name: "Name",
    recipe: multiple,
    expected: fail("format", "Name can only contain letters")
  },
  // simple and nested forms
  {
    example: "short email",
    value: "x",
    name: "Email",
    recipe: { email: true },
    expected: fail("email", "Email must be formatted like an email address")
  },
  {
    example: "nested email",
    value: "x",
    name: "Email",
    recipe: { email: { message: "Must provide an email" } },
    expected: fail("email", "Must provide an email")
  },
  {
    example: "short exclusion",
    value: "Admin",
    name: "Name",
    recipe: { exclusion: ["Admin", "Owner"] },
    expected: fail("exclusion", "Name is reserved")
  },
  {
    example: "nested exclusion",
    value: "Owner",
    name: "Name",
    recipe: { exclusion: { in: ["Admin", "Owner"], message: "That name is reserved" } },
    expected: fail("exclusion", "That name is reserved")
  },
  // absence
  { example: "absence", value: null, name: "Value", recipe: { absence: true }, expected: "pass" },
  { example: "absence", value: undefined, name: "Value", recipe: { absence: true }, expected: "pass" },
  {
    example: "absence",
    value: "",
    name: "Value",
    recipe: { absence: true },
    expected: fail("absence", "Value is not absent")
  },
  {
    example: "absence",
    value: "here",
    name: "Value",
    recipe: { absence: true },
    expected: fail("absence", "Value is not absent")
  },
  {
    example: "absence allowEmptyString",
    value: "",
    name: "Honeypot",
    recipe: { absence: { allowEmptyString: true } },
    expected: "pass"
  },
  {
    example: "absence allowEmptyString",
    value: "spam",
    name: "Honeypot",
    recipe: { absence: { allowEmptyString: true } },
    expected: fail("absence", "Honeypot is not absent")
  },
  {
    example: "absence message",
    value: 1,
    recipe: { absence: { message: "Value must be absent" } },
    expected: fail("absence", "Value must be absent")
  },
  // acceptance
  { example: "acceptance", value: true, name: "Terms of Service", recipe: { acceptance: true }, expected: "pass" },
  {
    example: "acceptance",
    value: false,
    name: "Terms of Service",
    recipe: { acceptance: true },
    expected: fail("acceptance", "Terms of Service must be accepted")
  },
  {
    example: "acceptance",
    value: "true",
    name: "Terms of Service",
    recipe: { acceptance: true },
    expected: fail("acceptance", "Terms of Service must be accepted")
  },
  {
    example: "acceptance in",
    value: "true",
    name: "Terms of Service",
    recipe: { acceptance: { in: [true, "true", 1, "1"] } },
    expected: "pass"
  },
  {
    example: "acceptance in",
    value: 1,
    name: "Terms of Service",
    recipe: { acceptance: { in: [true, "true", 1, "1"] } },
    expected: "pass"
  },
  {
    example: "acceptance in",
    value: "1",
    name: "Terms of Service",
    recipe: { acceptance: { in: [true, "true", 1, "1"] } },
    expected: "pass"
  },
  {
    example: "acceptance in",
    value: "yes",
    name: "Terms of Service",
    recipe: { acceptance: { in: [true, "true", 1, "1"] } },
    expected: fail("acceptance", "Terms of Service must be accepted")
  },
  {
    example: "acceptance message",
    value: false,
    recipe: { acceptance: { message: "Please accept the Terms of Service" } },
    expected: fail("acceptance", "Please accept the Terms of Service")
  },
  // RedwoodJS rejects even `true` here (an object without `in` accepts nothing); the documented default is `true`.
  {
    example: "acceptance message",
    value: true,
    recipe: { acceptance: { message: "Please accept the Terms of Service" } },
    expected: "pass"
  },
  // email
  { example: "email", value: "rob@redwoodjs.com", name: "Email", recipe: { email: true }, expected: "pass" },
  { example: "email", value: "tom+test@sub.domain.com", name: "Email", recipe: { email: true }, expected: "pass" },
  { example: "email", value: "david🚀@redwoodjs.com", name: "Email", recipe: { email: true }, expected: "pass" },
  ...[
    "rob",
    "tom@redwoodjs",
    "peter@redwoodjs.",
    "david@.com",
    "dom @redwood.com",
    "tobbe@redwood js.com",
    "danny@redwoodjs.co m",
    " dt@redwoodjs.com"
  ].map(
    (value): Case => ({
      example: "email",
      value,
      name: "Email",
      recipe: { email: true },
      expected: fail("email", "Email must be formatted like an email address")
    })
  ),
  {
    example: "email message",
    value: "rob",
    recipe: { email: { message: "Please provide a valid email address" } },
    expected: fail("email", "Please provide a valid email address")
  },
  // exclusion
  {
    example: "exclusion",
    value: "Admin",
    name: "Name",
    recipe: { exclusion: ["Admin", "Owner"] },
    expected: fail("exclusion", "Name is reserved")
  },
  { example: "exclusion", value: "Rob", name: "Name", recipe: { exclusion: ["Admin", "Owner"] }, expected: "pass" },
  {
    example: "exclusion caseSensitive default",
    value: "admin",
    name: "Name",
    recipe: { exclusion: { in: ["Admin", "Owner"] } },
    expected: "pass"
  },
  {
    example: "exclusion caseSensitive false",
    value: "admin",
    name: "Name",
    recipe: { exclusion: { in: ["Admin", "Owner"], caseSensitive: false } },
    expected: fail("exclusion", "Name is reserved")
  },
  {
    example: "exclusion message",
    value: "Owner",
    recipe: { exclusion: { in: ["Admin", "Owner"], message: "That name is reserved, try another" } },
    expected: fail("exclusion", "That name is reserved, try another")
  },
  // format
  { example: "format", value: "555-555-5555", name: "US Phone Number", recipe: { format: phone }, expected: "pass" },
  {
    example: "format",
    value: "555 555 5555",
    name: "US Phone Number",
    recipe: { format: phone },
    expected: fail("format", "US Phone Number is not formatted correctly")
  },
  {
    example: "format pattern",
    value: "5555555555",
    name: "US Phone Number",
    recipe: { format: { pattern: phone } },
    expected: "pass"
  },
  {
    example: "format pattern",
    value: "555",
    name: "US Phone Number",
    recipe: { format: { pattern: phone } },
    expected: fail("format", "US Phone Number is not formatted correctly")
  },
  {
    example: "format message",
    value: "(555) 555",
    recipe: { format: { pattern: phone, message: "Can only contain numbers and dashes" } },
    expected: fail("format", "Can only contain numbers and dashes")
  },
  // inclusion
  {
    example: "inclusion",
    value: "Guest",
    name: "Role",
    recipe: { inclusion: ["Guest", "Member", "Manager"] },
    expected: "pass"
  },
  {
    example: "inclusion",
    value: "Admin",
    name: "Role",
    recipe: { inclusion: ["Guest", "Member", "Manager"] },
    expected: fail("inclusion", "Role is not valid")
  },
  {
    example: "inclusion in",
    value: "guest",
    name: "Role",
    recipe: { inclusion: { in: ["Guest", "Member", "Manager"] } },
    expected: fail("inclusion", "Role is not valid")
  },
  {
    example: "inclusion caseSensitive false",
    value: "guest",
    name: "Role",
    recipe: { inclusion: { in: ["Guest", "Member", "Manager"], caseSensitive: false } },
    expected: "pass"
  },
  {
    example: "inclusion message",
    value: "Boss",
    name: "Role",
    recipe: { inclusion: { in: ["Guest", "Member", "Manager"], message: "Please select a proper role" } },
    expected: fail("inclusion", "Please select a proper role")
  },
  // length
  {
    example: "length min/max",
    value: "abcdef",
    name: "Answer",
    recipe: { length: { min: 6, max: 200 } },
    expected: "pass"
  },
  {
    example: "length min/max",
    value: "abc",
    name: "Answer",
    recipe: { length: { min: 6, max: 200 } },
    expected: fail("minLength", "Answer must have at least 6 characters")
  },
  {
    example: "length min/max",
    value: "a".repeat(201),
    name: "Answer",
    recipe: { length: { min: 6, max: 200 } },
    expected: fail("maxLength", "Answer must have no more than 200 characters")
  },
  {
    example: "length min",
    value: "R",
    name: "Name",
    recipe: { length: { min: 2 } },
    expected: fail("minLength", "Name must have at least 2 characters")
  },
  {
    example: "length max",
    value: "c".repeat(256),
    name: "Company",
    recipe: { length: { max: 255 } },
    expected: fail("maxLength", "Company must have no more than 255 characters")
  },
  { example: "length equal", value: "1234", name: "PIN", recipe: { length: { equal: 4 } }, expected: "pass" },
  {
    example: "length counts code points",
    value: "😀👍🏽",
    name: "Reaction",
    recipe: { length: { equal: 3 } },
    expected: "pass"
  },
  // RedwoodJS title-cases the name to "Pin"; acronyms stay here.
  {
    example: "length equal",
    value: "123",
    name: "PIN",
    recipe: { length: { equal: 4 } },
    expected: fail("equalLength", "PIN must have exactly 4 characters")
  },
  {
    example: "length between",
    value: "T",
    name: "Title",
    recipe: { length: { between: [2, 255] } },
    expected: fail("betweenLength", "Title must be between 2 and 255 characters")
  },
  {
    example: "length between",
    value: "Title",
    name: "Title",
    recipe: { length: { between: [2, 255] } },
    expected: "pass"
  },
  // RedwoodJS leaves "${max}" in place when `min` fails; every option interpolates here.
  {
    example: "length message",
    value: "T",
    name: "Title",
    recipe: { length: { min: 2, max: 255, message: "${name} must be between ${min} and ${max} characters" } },
    expected: fail("minLength", "Title must be between 2 and 255 characters")
  },
  // numericality
  {
    example: "numericality",
    value: 1999,
    name: "Year",
    recipe: { numericality: { greaterThan: 1900, lessThanOrEqual: 2021 } },
    expected: "pass"
  },
  {
    example: "numericality",
    value: 1900,
    name: "Year",
    recipe: { numericality: { greaterThan: 1900, lessThanOrEqual: 2021 } },
    expected: fail("greaterThanNumericality", "Year must be greater than 1900")
  },
  {
    example: "numericality",
    value: 2022,
    name: "Year",
    recipe: { numericality: { greaterThan: 1900, lessThanOrEqual: 2021 } },
    expected: fail("lessThanOrEqualNumericality", "Year must be less than or equal to 2021")
  },
  {
    example: "numericality",
    value: "1999",
    name: "Year",
    recipe: { numericality: { greaterThan: 1900, lessThanOrEqual: 2021 } },
    expected: fail("typeNumericality", "Year must be a number")
  },
  {
    example: "numericality integer",
    value: 30,
    name: "Age",
    recipe: { numericality: { integer: true } },
    expected: "pass"
  },
  {
    example: "numericality integer",
    value: 30.5,
    name: "Age",
    recipe: { numericality: { integer: true } },
    expected: fail("integerNumericality", "Age must be an integer")
  },
  {
    example: "numericality lessThan",
    value: 99.9,
    name: "Temperature",
    recipe: { numericality: { lessThan: 100 } },
    expected: "pass"
  },
  {
    example: "numericality lessThan",
    value: 100,
    name: "Temperature",
    recipe: { numericality: { lessThan: 100 } },
    expected: fail("lessThanNumericality", "Temperature must be less than 100")
  },
  {
    example: "numericality lessThanOrEqual",
    value: 100,
    name: "Temperature",
    recipe: { numericality: { lessThanOrEqual: 100 } },
    expected: "pass"
  },
  {
    example: "numericality lessThanOrEqual",
    value: 100.5,
    name: "Temperature",
    recipe: { numericality: { lessThanOrEqual: 100 } },
    expected: fail("lessThanOrEqualNumericality", "Temperature must be less than or equal to 100")
  },
  {
    example: "numericality greaterThan",
    value: 32,
    name: "Temperature",
    recipe: { numericality: { greaterThan: 32 } },
    expected: fail("greaterThanNumericality", "Temperature must be greater than 32")
  },
  {
    example: "numericality greaterThanOrEqual",
    value: 32,
    name: "Temperature",
    recipe: { numericality: { greaterThanOrEqual: 32 } },
    expected: "pass"
  },
  {
    example: "numericality greaterThanOrEqual",
    value: 31,
    name: "Temperature",
    recipe: { numericality: { greaterThanOrEqual: 32 } },
    expected: fail("greaterThanOrEqualNumericality", "Temperature must be greater than or equal to 32")
  },
  { example: "numericality equal", value: 6, name: "Guess", recipe: { numericality: { equal: 6 } }, expected: "pass" },
  {
    example: "numericality equal",
    value: 5,
    name: "Guess",
    recipe: { numericality: { equal: 6 } },
    expected: fail("equalNumericality", "Guess must equal 6")
  },
  {
    example: "numericality otherThan",
    value: 12,
    name: "Floor",
    recipe: { numericality: { otherThan: 13 } },
    expected: "pass"
  },
  {
    example: "numericality otherThan",
    value: 13,
    name: "Floor",
    recipe: { numericality: { otherThan: 13 } },
    expected: fail("otherThanNumericality", "Floor must not equal 13")
  },
  { example: "numericality even", value: 4, name: "Skip", recipe: { numericality: { even: true } }, expected: "pass" },
  {
    example: "numericality even",
    value: 3,
    name: "Skip",
    recipe: { numericality: { even: true } },
    expected: fail("evenNumericality", "Skip must be even")
  },
  {
    example: "numericality odd",
    value: 3,
    name: "Zen Garden",
    recipe: { numericality: { odd: true } },
    expected: "pass"
  },
  // RedwoodJS computes `-3 % 2 !== 1` and calls -3 even; it is odd here.
  {
    example: "numericality odd",
    value: -3,
    name: "Zen Garden",
    recipe: { numericality: { odd: true } },
    expected: "pass"
  },
  {
    example: "numericality odd",
    value: 2,
    name: "Zen Garden",
    recipe: { numericality: { odd: true } },
    expected: fail("oddNumericality", "Zen Garden must be odd")
  },
  {
    example: "numericality positive",
    value: 0.01,
    name: "Balance",
    recipe: { numericality: { positive: true } },
    expected: "pass"
  },
  {
    example: "numericality positive",
    value: 0,
    name: "Balance",
    recipe: { numericality: { positive: true } },
    expected: fail("positiveNumericality", "Balance must be positive")
  },
  {
    example: "numericality negative",
    value: -1,
    name: "Debt",
    recipe: { numericality: { negative: true } },
    expected: "pass"
  },
  {
    example: "numericality negative",
    value: 0,
    name: "Debt",
    recipe: { numericality: { negative: true } },
    expected: fail("negativeNumericality", "Debt must be negative")
  },
  {
    example: "numericality message",
    value: 13,
    name: "Floor",
    recipe: { numericality: { otherThan: 13, message: "You cannot go to floor ${otherThan}" } },
    expected: fail("otherThanNumericality", "You cannot go to floor 13")
  },
  // presence
  {
    example: "presence",
    value: null,
    name: "Value",
    recipe: { presence: true },
    expected: fail("presence", "Value must be present")
  },
  {
    example: "presence",
    value: undefined,
    name: "Value",
    recipe: { presence: true },
    expected: fail("presence", "Value must be present")
  },
  { example: "presence", value: "", name: "Value", recipe: { presence: true }, expected: "pass" },
  {
    example: "presence allowNull",
    value: null,
    name: "Value",
    recipe: { presence: { allowNull: true } },
    expected: "pass"
  },
  {
    example: "presence allowNull",
    value: undefined,
    name: "Value",
    recipe: { presence: { allowNull: true } },
    expected: fail("presence", "Value must be present")
  },
  {
    example: "presence allowNull",
    value: "",
    name: "Value",
    recipe: { presence: { allowNull: true } },
    expected: "pass"
  },
  {
    example: "presence allowUndefined",
    value: null,
    name: "Value",
    recipe: { presence: { allowUndefined: true } },
    expected: fail("presence", "Value must be present")
  },
  {
    example: "presence allowUndefined",
    value: undefined,
    name: "Value",
    recipe: { presence: { allowUndefined: true } },
    expected: "pass"
  },
  {
    example: "presence allowUndefined",
    value: "",
    name: "Value",
    recipe: { presence: { allowUndefined: true } },
    expected: "pass"
  },
  {
    example: "presence allowEmptyString",
    value: null,
    name: "Value",
    recipe: { presence: { allowEmptyString: false } },
    expected: fail("presence", "Value must be present")
  },
  {
    example: "presence allowEmptyString",
    value: undefined,
    name: "Value",
    recipe: { presence: { allowEmptyString: false } },
    expected: fail("presence", "Value must be present")
  },
  {
    example: "presence allowEmptyString",
    value: "",
    name: "Value",
    recipe: { presence: { allowEmptyString: false } },
    expected: fail("presence", "Value must be present")
  },
  {
    example: "presence message",
    value: "",
    recipe: { presence: { allowEmptyString: false, message: "Can't leave last name empty" } },
    expected: fail("presence", "Can't leave last name empty")
  },
  // custom
  { example: "custom", value: "anything", name: "Value", recipe: customRecipe(false), expected: "pass" },
  {
    example: "custom",
    value: "anything",
    name: "Value",
    recipe: customRecipe(true),
    expected: fail("custom", "Value is invalid")
  },
  {
    example: "custom message",
    value: "anything",
    name: "Value",
    recipe: customRecipe(true, "Please specify a different value"),
    expected: fail("custom", "Please specify a different value")
  }
]

const run = (c: Case) =>
  c.name === undefined
    ? Validate.validate(c.value, c.recipe as Validate.RecipeWithMessages)
    : Validate.validate(c.value, c.name, c.recipe)

describe("RedwoodJS documentation examples", () => {
  it.effect.each(cases.map((c, i) => [`${i} ${c.example}: ${JSON.stringify(c.value)?.slice(0, 40)}`, c] as const))(
    "%s",
    ([, c]) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(run(c))
        if (c.expected === "pass") {
          expect(exit).toStrictEqual(Exit.void)
        } else {
          const error = yield* Effect.flip(run(c))
          expect(error).toBeInstanceOf(Validate.ServiceValidationError)
          expect({ field: error.field, rule: error.rule, message: error.message }).toEqual({
            field: c.name ?? "",
            rule: c.expected.rule,
            message: c.expected.message
          })
        }
      })
  )

  it.effect("the Schema filter reports the same pass/fail and message for every synchronous example", () =>
    Effect.sync(() => {
      for (const c of cases) {
        const filtered = Schema.Unknown.pipe(
          c.name === undefined
            ? Validate.schema(c.recipe as Validate.RecipeWithMessages)
            : Validate.schema(c.recipe, c.name)
        )
        const result = Schema.decodeUnknownEither(filtered)(c.value)
        if (c.expected === "pass") expect(result._tag, c.example).toBe("Right")
        else {
          expect(result._tag, c.example).toBe("Left")
          if (result._tag === "Left") expect(result.left.message).toContain(c.expected.message)
        }
      }
    }))

  it.effect("validateWithSync: a thrown string or Error becomes the message", () =>
    Effect.gen(function*() {
      const input = { name: "Name" }
      const fromString = yield* Effect.flip(Validate.validateWithSync(() => {
        if (input.name === "Name") throw "You'll have to be more creative than that"
      }))
      const fromError = yield* Effect.flip(Validate.validateWithSync(() => {
        if (input.name === "Name") throw new Error("You'll have to be more creative than that")
      }))
      for (const error of [fromString, fromError]) {
        expect(error).toBeInstanceOf(Validate.ServiceValidationError)
        expect(error.message).toBe("You'll have to be more creative than that")
        expect(error.rule).toBe("custom")
        expect(error.field).toBe("")
      }
      yield* Validate.validateWithSync(() => {
        if (input.name === "Other") throw "never"
      })
    }))

  it.effect("validateWith: an async function that throws, a failed Effect", () =>
    Effect.gen(function*() {
      const count = (n: number) => Promise.resolve(n)
      const tooMany = (n: number) => async () => {
        if ((await count(n)) >= 100) throw "There can only be a maximum of 100 products in your store"
      }
      const fromAsync = yield* Effect.flip(Validate.validateWith(tooMany(100)))
      expect(fromAsync.message).toBe("There can only be a maximum of 100 products in your store")
      yield* Validate.validateWith(tooMany(99))

      const invites = (n: number) =>
        Effect.gen(function*() {
          if (n >= 10) return yield* Effect.fail("You have already invited your max of 10 users")
        })
      const fromEffect = yield* Effect.flip(Validate.validateWith(invites(10), { field: "invites" }))
      expect({ field: fromEffect.field, rule: fromEffect.rule, message: fromEffect.message }).toEqual({
        field: "invites",
        rule: "custom",
        message: "You have already invited your max of 10 users"
      })
      yield* Validate.validateWith(invites(9))
      const fromError = yield* Effect.flip(Validate.validateWith(Effect.fail(new Error("bad"))))
      expect(fromError.message).toBe("bad")
      const withMessage = yield* Effect.flip(Validate.validateWith(Effect.fail(new Error("bad")), { message: "Shown" }))
      expect(withMessage.message).toBe("Shown")
      const opaque = yield* Effect.flip(Validate.validateWith(Effect.fail({ secret: 1 })))
      expect(opaque.message).toBe("Validation failed")
    }))

  it.effect("validateWith keeps defects as defects", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Validate.validateWith(Effect.die("boom")))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Die").toBe(true)
    }))

  it.effect("custom checks can be Effects, async functions, and receive the value", () =>
    Effect.gen(function*() {
      const taken = new Set(["rob"])
      const available = Effect.fn(function*(value: unknown) {
        if (typeof value === "string" && taken.has(value)) return yield* Effect.fail(`${value} is taken`)
      })
      const effect = yield* Effect.flip(Validate.validate("rob", "Username", { custom: { with: available("rob") } }))
      expect(effect.message).toBe("rob is taken")
      const fn = yield* Effect.flip(
        Validate.validate("rob", "Username", {
          custom: {
            with: async (value) => {
              if (taken.has(String(value))) throw new Error("Username is taken")
            }
          }
        })
      )
      expect(fn.message).toBe("Username is taken")
      const unnamed = yield* Effect.flip(Validate.validate("x", "Username", {
        custom: {
          with: () => {
            throw 42
          }
        }
      }))
      expect(unnamed.message).toBe("Username is not valid")
      const templated = yield* Effect.flip(
        Validate.validate("x", "userName", {
          custom: {
            with: () => {
              throw 42
            },
            message: "${name} is odd"
          }
        })
      )
      expect(templated.message).toBe("User Name is odd")
      yield* Validate.validate("ok", "Username", {
        custom: {
          with: (value) => {
            if (value !== "ok") throw "no"
          }
        }
      })
    }))

  it.effect("rules run in the order written and stop at the first failure", () =>
    Effect.gen(function*() {
      const a = yield* Effect.flip(
        Validate.validate("", "Name", { length: { min: 2 }, presence: { allowEmptyString: false } })
      )
      expect(a.rule).toBe("minLength")
      const b = yield* Effect.flip(
        Validate.validate("", "Name", { presence: { allowEmptyString: false }, length: { min: 2 } })
      )
      expect(b.rule).toBe("presence")
      let ran = false
      yield* Effect.flip(Validate.validate("", "Name", {
        presence: { allowEmptyString: false },
        custom: {
          with: () => {
            ran = true
          }
        }
      }))
      expect(ran).toBe(false)
    }))

  it.effect("undefined and false switch rules off", () =>
    Effect.gen(function*() {
      yield* Validate.validate(undefined, "Name", { presence: false, email: undefined, length: undefined })
      const optional = (required: boolean) => Validate.validate(null, "Name", { presence: required })
      yield* optional(false)
      expect((yield* Effect.flip(optional(true))).rule).toBe("presence")
    }))

  it.effect("a global or sticky format pattern gives the same answer every time", () =>
    Effect.gen(function*() {
      const pattern = /^a+$/g
      for (let i = 0; i < 3; i++) yield* Validate.validate("aaa", "A", { format: pattern })
    }))

  it.effect("unknown rules and format without a pattern are defects, not validation failures", () =>
    Effect.gen(function*() {
      const unknown = yield* Effect.exit(Validate.validate(1, "X", { emial: true } as unknown as Validate.Recipe))
      expect(Exit.isFailure(unknown) && unknown.cause._tag === "Die").toBe(true)
      const noPattern = yield* Effect.exit(Validate.validate(1, "X", { format: {} } as unknown as Validate.Recipe))
      expect(Exit.isFailure(noPattern) && noPattern.cause._tag === "Die").toBe(true)
    }))
})

describe("labels", () => {
  it("humanizes identifiers as RedwoodJS does and keeps written labels", () => {
    expect(Validate.label("email")).toBe("Email")
    expect(Validate.label("my_email")).toBe("My Email")
    expect(Validate.label("myEmail")).toBe("My Email")
    expect(Validate.label("termsOfPurchase")).toBe("Terms of Purchase")
    expect(Validate.label("terms_of_purchase")).toBe("Terms of Purchase")
    expect(Validate.label("selection_of_widgets")).toBe("Selection of Widgets")
    expect(Validate.label("theText")).toBe("The Text")
    expect(Validate.label("usPhoneNumber")).toBe("Us Phone Number")
    expect(Validate.label("USPhone")).toBe("US Phone")
    expect(Validate.label("PIN")).toBe("PIN")
    expect(Validate.label("Email Address")).toBe("Email Address")
    expect(Validate.label("US Phone Number")).toBe("US Phone Number")
    expect(Validate.label("First name")).toBe("First name")
    expect(Validate.label("")).toBe("")
  })
})

describe("validateAll", () => {
  const user = (input: { readonly name: unknown; readonly email: unknown }) =>
    Validate.validateAll([
      Validate.validate(input.name, "name", {
        presence: true,
        length: { min: 2, max: 255 },
        exclusion: ["Admin", "Owner"]
      }),
      Validate.validate(input.email, "email", { presence: true, email: true })
    ])

  it.effect("reports every failure, in order", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(user({ name: "A", email: "nope" }))
      expect(error).toBeInstanceOf(Validate.ServiceValidationErrors)
      expect(Validate.issues(error)).toEqual([
        { field: "name", rule: "minLength", message: "Name must have at least 2 characters" },
        { field: "email", rule: "email", message: "Email must be formatted like an email address" }
      ])
      expect(error.message).toBe("Name must have at least 2 characters; Email must be formatted like an email address")
      yield* user({ name: "Rob", email: "rob@example.com" })
    }))

  it.effect("flattens nested validateAll failures and passes other errors through", () =>
    Effect.gen(function*() {
      const nested = yield* Effect.flip(
        Validate.validateAll([
          user({ name: null, email: null }),
          Validate.validateWithSync(() => {
            throw "third"
          })
        ])
      )
      expect(Validate.issues(nested).map((issue) => issue.rule)).toEqual(["presence", "presence", "custom"])

      class Boom extends Schema.TaggedError<Boom>()("Boom", {}) {}
      let after = false
      // the error type keeps Boom and folds validation failures into ServiceValidationErrors
      const all: Effect.Effect<void, Validate.ServiceValidationErrors | Boom> = Validate.validateAll([
        Validate.validate(null, "a", { presence: true }),
        Effect.fail(new Boom()),
        Effect.sync(() => {
          after = true
        })
      ])
      const other = yield* Effect.flip(all)
      expect(other).toBeInstanceOf(Boom)
      expect(after).toBe(false)
    }))

  it.live("runs concurrently when asked and still lists failures in the given order", () =>
    Effect.gen(function*() {
      const slow = Validate.validate("x", "slow", { length: { min: 2 } }).pipe(Effect.delay("20 millis"))
      const fast = Validate.validate("x", "fast", { length: { min: 2 } })
      const error = yield* Effect.flip(Validate.validateAll([slow, fast], { concurrency: "unbounded" }))
      expect(error.errors.map((e) => e.field)).toEqual(["slow", "fast"])
    }))
})

describe("ServiceValidationError", () => {
  it.effect("round-trips through its Schema (it crosses HTTP)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Validate.validate("", "name", { presence: { allowEmptyString: false } }))
      const encoded = yield* Schema.encode(Validate.ServiceValidationError)(error)
      expect(encoded).toEqual({
        _tag: "ServiceValidationError",
        field: "name",
        rule: "presence",
        message: "Name must be present"
      })
      const decoded = yield* Schema.decodeUnknown(Validate.ServiceValidationError)(JSON.parse(JSON.stringify(encoded)))
      expect(decoded).toBeInstanceOf(Validate.ServiceValidationError)
      expect(decoded.message).toBe("Name must be present")

      const all = yield* Effect.flip(Validate.validateAll([Validate.validate(null, "a", { presence: true })]))
      const wire = JSON.parse(JSON.stringify(yield* Schema.encode(Validate.ServiceValidationErrors)(all)))
      expect(wire).toEqual({
        _tag: "ServiceValidationErrors",
        errors: [{ _tag: "ServiceValidationError", field: "a", rule: "presence", message: "A must be present" }]
      })
      const back = yield* Schema.decodeUnknown(Validate.ServiceValidationErrors)(wire)
      expect(back.errors[0]).toBeInstanceOf(Validate.ServiceValidationError)
      const rejected = yield* Effect.exit(
        Schema.decodeUnknown(Validate.ServiceValidationError)({ ...encoded, rule: "nope" })
      )
      expect(Exit.isFailure(rejected)).toBe(true)
    }))

  it("answers 422 when declared on an HttpApi endpoint", () => {
    expect(HttpApiSchema.getStatusError(Validate.ServiceValidationError)).toBe(422)
    expect(HttpApiSchema.getStatusError(Validate.ServiceValidationErrors)).toBe(422)
  })
})

describe("schema", () => {
  const Name = Schema.String.pipe(
    Validate.schema({ presence: true, length: { min: 2, max: 255 }, exclusion: ["Admin", "Owner"] }, "name")
  )
  const Payload = Schema.Struct({
    name: Name,
    title: Schema.String.pipe(Validate.schema({ length: { between: [1, 5] } }, "Title"))
  })

  it("fails with the service's message, at the field's path", () => {
    const result = Schema.decodeUnknownEither(Payload)({ name: "Admin", title: "ok" })
    expect(result._tag).toBe("Left")
    if (result._tag === "Left") {
      expect(result.left.message).toContain("Name is reserved")
      expect(result.left.message).toContain("[\"name\"]")
    }
    expect(Schema.decodeUnknownSync(Payload)({ name: "Rob", title: "Hi" })).toEqual({ name: "Rob", title: "Hi" })
  })

  it("keeps the base schema's JSON Schema (for OpenAPI)", () => {
    expect(JSONSchema.make(Payload)).toMatchObject({ type: "object", required: ["name", "title"] })
  })

  it("reports asynchronous custom checks as failures instead of throwing", () => {
    const Async = Schema.String.pipe(
      Validate.schema({ custom: { with: Effect.fail("no").pipe(Effect.delay("1 millis")) } }, "thing")
    )
    const result = Schema.decodeUnknownEither(Async)("x")
    expect(result._tag).toBe("Left")
    if (result._tag === "Left") expect(result.left.message).toContain("Thing is not valid")
  })
})
