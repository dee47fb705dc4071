import { describe, expect, it } from "@effect/vitest"

import {
  AcceptanceValidationError,
  BetweenLengthValidationError,
  CustomValidationError,
  EmailValidationError,
  ExclusionValidationError,
  FormatValidationError,
  InclusionValidationError,
  LessThanNumericalityValidationError,
  MaxLengthValidationError,
  MinLengthValidationError,
  OddNumericalityValidationError,
  PresenceValidationError,
  RedwoodError,
  ServiceValidationError,
  TypeNumericalityValidationError,
  validate,
  validateWith,
  validateWithSync
} from "../src/index.js"

/** The error `run` throws (the test fails when it throws nothing). */
const thrown = (run: () => void): Error => {
  try {
    run()
  } catch (error) {
    return error as Error
  }
  throw new Error("expected a validation error")
}

describe("validate: field names in default messages", () => {
  it.each([
    ["email", "Email must be present"],
    ["first_name", "First Name must be present"],
    ["firstName", "First Name must be present"],
    ["terms_of_service", "Terms of Service must be present"],
    ["agreedToTheTerms", "Agreed to the Terms must be present"],
    ["Shipping Address", "Shipping Address must be present"],
    ["PIN", "Pin must be present"],
    ["", " must be present"]
  ])("%j reads as in RedwoodJS", (name, message) => {
    expect(thrown(() => validate(undefined, name, { presence: true })).message).toBe(message)
  })
})

describe("validate: rules", () => {
  it("stops at the first broken rule, in the order the recipe lists them", () => {
    const recipe = { presence: true, format: /^[a-z]+$/ }
    expect(thrown(() => validate(null, "slug", recipe))).toBeInstanceOf(PresenceValidationError)
    expect(thrown(() => validate("Nope!", "slug", recipe))).toBeInstanceOf(FormatValidationError)
    expect(() => validate("fine", "slug", recipe)).not.toThrow()
  })

  it("skips a rule whose options are undefined, and an empty recipe passes", () => {
    expect(() => validate(null, "x", { presence: undefined })).not.toThrow()
    expect(() => validate(null, "x", {})).not.toThrow()
  })

  it("runs a rule set to false with its defaults, as RedwoodJS does", () => {
    expect(thrown(() => validate(null, "x", { presence: false }))).toBeInstanceOf(PresenceValidationError)
  })

  it("acceptance takes true, or the values of `in`; an options object without `in` accepts nothing", () => {
    expect(() => validate(true, "terms", { acceptance: true })).not.toThrow()
    expect(thrown(() => validate("true", "terms", { acceptance: true }))).toBeInstanceOf(AcceptanceValidationError)
    expect(() => validate(1, "terms", { acceptance: { in: [1, "yes"] } })).not.toThrow()
    expect(thrown(() => validate(true, "terms", { acceptance: { message: "Accept them" } })).message).toBe(
      "Accept them"
    )
  })

  it("email uses the lax pattern, on the value as a string", () => {
    expect(() => validate("jo+1@example.co.uk", "email", { email: true })).not.toThrow()
    const error = thrown(() => validate("jo@localhost", "email", { email: true }))
    expect(error).toBeInstanceOf(EmailValidationError)
    expect(error.message).toBe("Email must be formatted like an email address")
  })

  it("exclusion and inclusion compare case-sensitively unless told otherwise", () => {
    expect(() => validate("admin", "role", { exclusion: ["Admin"] })).not.toThrow()
    expect(thrown(() => validate("admin", "role", { exclusion: { in: ["Admin"], caseSensitive: false } })))
      .toBeInstanceOf(ExclusionValidationError)
    const error = thrown(() => validate("Root", "role", { inclusion: ["Guest", "Member"] }))
    expect(error).toBeInstanceOf(InclusionValidationError)
    expect(error.message).toBe("Role is reserved")
  })

  it("format needs a pattern and tests String(value)", () => {
    expect(thrown(() => validate("x", "code", { format: { pattern: null } })).message).toBe(
      "No pattern for format validation"
    )
    expect(() => validate(1234, "code", { format: /^\d{4}$/ })).not.toThrow()
  })

  it("length counts String(value).length (UTF-16 units) and reads a bound of 0 as unset", () => {
    expect(thrown(() => validate("ab", "code", { length: { min: 3 } })).message).toBe(
      "Code must have at least 3 characters"
    )
    // an emoji is two UTF-16 units
    expect(thrown(() => validate("🚀", "code", { length: { max: 1 } }))).toBeInstanceOf(MaxLengthValidationError)
    // [1, 2] is "1,2": three characters
    expect(() => validate([1, 2], "code", { length: { equal: 3 } })).not.toThrow()
    expect(() => validate("anything", "code", { length: { max: 0 } })).not.toThrow()
    expect(thrown(() => validate("a", "code", { length: { between: [2, 4] } })).message).toBe(
      "Code must be between 2 and 4 characters"
    )
    expect(thrown(() => validate("a", "code", { length: { min: 2, message: "at least ${min}, ${max}" } })).message)
      .toBe("at least 2, ${max}")
    expect(thrown(() => validate("a", "code", { length: { between: [2, 4] } }))).toBeInstanceOf(
      BetweenLengthValidationError
    )
    expect(thrown(() => validate("", "code", { length: { min: 1 } }))).toBeInstanceOf(MinLengthValidationError)
  })

  it("numericality: typeof number (NaN included), bounds, parity as RedwoodJS computes it", () => {
    const notNumber = thrown(() => validate("1", "age", { numericality: true }))
    expect(notNumber).toBeInstanceOf(TypeNumericalityValidationError)
    expect(notNumber.message).toBe("Age must by a number")
    expect(() => validate(Number.NaN, "age", { numericality: { lessThan: 3, positive: true } })).not.toThrow()
    expect(thrown(() => validate(3, "age", { numericality: { lessThan: 3 } })).message).toBe("Age must be less than 3")
    expect(thrown(() => validate(3, "age", { numericality: { lessThan: 3 } }))).toBeInstanceOf(
      LessThanNumericalityValidationError
    )
    // -3 % 2 is -1: RedwoodJS does not count it as odd
    expect(thrown(() => validate(-3, "age", { numericality: { odd: true } }))).toBeInstanceOf(
      OddNumericalityValidationError
    )
    expect(
      thrown(() => validate(5, "floor", { numericality: { otherThan: 5, message: "Not floor ${otherThan}" } }))
        .message
    ).toBe("Not floor 5")
  })

  it("presence: null and undefined fail, empty strings pass unless disallowed", () => {
    expect(() => validate("", "name", { presence: true })).not.toThrow()
    expect(() => validate(null, "name", { presence: { allowNull: true } })).not.toThrow()
    expect(thrown(() => validate("", "name", { presence: { allowEmptyString: false } }))).toBeInstanceOf(
      PresenceValidationError
    )
  })

  it("custom: the rule's message, else what the check threw", () => {
    const failing = () => {
      throw new Error("Not today")
    }
    expect(thrown(() => validate(1, "day", { custom: { with: failing } })).message).toBe("Not today")
    expect(thrown(() => validate(1, "day", { custom: { with: failing, message: "Pick another" } })).message).toBe(
      "Pick another"
    )
    const error = thrown(() =>
      validate(1, "day", {
        custom: {
          with: () => {
            throw "A string"
          }
        }
      })
    )
    expect(error).toBeInstanceOf(CustomValidationError)
    expect(error.message).toBe("A string")
  })

  it("the two-argument form uses each rule's own message", () => {
    expect(thrown(() => validate(null, { presence: { message: "Tell us your name" } })).message).toBe(
      "Tell us your name"
    )
  })
})

describe("errors", () => {
  it("are ServiceValidationErrors and RedwoodErrors with the field's message in their extensions", () => {
    const error = thrown(() => validate(null, "email", { presence: true })) as PresenceValidationError
    expect(error).toBeInstanceOf(ServiceValidationError)
    expect(error).toBeInstanceOf(RedwoodError)
    expect(error.name).toBe("PresenceValidationError")
    expect(error.extensions).toEqual({
      code: "BAD_USER_INPUT",
      properties: { messages: { email: ["Email must be present"] } }
    })
  })

  it("a ServiceValidationError without substitutions has RedwoodJS's default code", () => {
    expect(new ServiceValidationError("Nope").extensions).toEqual({ code: "REDWOODJS_ERROR" })
  })
})

describe("validateWithSync and validateWith", () => {
  it("turn a thrown Error or string into a ServiceValidationError", async () => {
    const sync = thrown(() =>
      validateWithSync(() => {
        throw "Only admins may do that"
      })
    )
    expect(sync).toBeInstanceOf(ServiceValidationError)
    expect(sync.message).toBe("Only admins may do that")
    await expect(validateWith(async () => Promise.reject(new Error("Too many invites")))).rejects.toThrow(
      new ServiceValidationError("Too many invites")
    )
    await expect(validateWith(async () => undefined)).resolves.toBeUndefined()
  })

  it("validateWith calls the check before it returns", () => {
    let called = false
    const pending = validateWith(async () => {
      called = true
    })
    expect(called).toBe(true)
    return pending
  })
})
