/**
 * Properties of the rules against plain reference predicates on generated inputs.
 */
import { Validate } from "@cachet/validate"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Schema } from "effect"

/** The outcome of a validation that needs no services: `undefined` or the failure. */
const outcome = (effect: Effect.Effect<void, Validate.ServiceValidationError>) =>
  Either.match(Effect.runSync(Effect.either(effect)), {
    onLeft: (error) => ({ rule: error.rule, message: error.message, field: error.field }),
    onRight: () => undefined
  })

/** The first broken check of an ordered list, as the failure it should produce. */
const firstBroken = (
  field: string,
  checks: ReadonlyArray<readonly [holds: boolean, rule: Validate.Rule, message: string]>
) => {
  const broken = checks.find(([holds]) => !holds)
  return broken === undefined ? undefined : { rule: broken[1], message: broken[2], field }
}

const optional = <A>(arb: fc.Arbitrary<A>) => fc.option(arb, { nil: undefined })

/** Drops `undefined` keys, as a caller writing the recipe by hand would. */
const defined = <O extends Record<string, unknown>>(o: O): O =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as O

describe("length", () => {
  const value = fc.oneof(
    fc.string({ maxLength: 14, unit: "binary" }),
    fc.array(fc.integer(), { maxLength: 14 }),
    fc.constantFrom(null, undefined)
  )
  const options = fc
    .record({
      min: optional(fc.nat(15)),
      max: optional(fc.nat(15)),
      equal: optional(fc.nat(15)),
      between: optional(fc.tuple(fc.nat(15), fc.nat(15)).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const))
    })
    .map(defined)

  /** Plain meaning of "length": code points of a string, elements of an array, 0 for nothing. */
  const lengthOf = (v: unknown) => (typeof v === "string" ? [...v].length : Array.isArray(v) ? v.length : 0)

  it.prop(
    "passes iff every bound holds; reports the first broken bound with its message",
    [value, options],
    ([v, o]) => {
      const n = lengthOf(v)
      const expected = firstBroken("Field", [
        [o.min === undefined || n >= o.min, "minLength", `Field must have at least ${o.min} characters`],
        [o.max === undefined || n <= o.max, "maxLength", `Field must have no more than ${o.max} characters`],
        [o.equal === undefined || n === o.equal, "equalLength", `Field must have exactly ${o.equal} characters`],
        [
          o.between === undefined || (o.between[0] <= n && n <= o.between[1]),
          "betweenLength",
          `Field must be between ${o.between?.[0]} and ${o.between?.[1]} characters`
        ]
      ])
      expect(outcome(Validate.validate(v, "Field", { length: o }))).toEqual(expected)
    }
  )

  it.prop(
    "the Schema filter agrees with validate, message for message",
    [fc.string({ maxLength: 14 }), options],
    ([v, o]) => {
      const schema = Schema.String.pipe(Validate.schema({ length: o }, "title"))
      const decoded = Schema.decodeUnknownEither(schema)(v)
      const validated = outcome(Validate.validate(v, "title", { length: o }))
      expect(Either.isRight(decoded)).toBe(validated === undefined)
      if (Either.isLeft(decoded) && validated !== undefined) expect(decoded.left.message).toContain(validated.message)
    }
  )
})

describe("numericality", () => {
  const bound = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double({ min: -20, max: 20, noNaN: true }))
  const value = fc.oneof(
    fc.integer({ min: -25, max: 25 }),
    fc.double({ min: -25, max: 25, noNaN: true }),
    fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, -1.5),
    fc.string({ maxLength: 3 }),
    fc.constantFrom(null, undefined, true, 1n)
  )
  const options = fc
    .record({
      integer: optional(fc.boolean()),
      lessThan: optional(bound),
      lessThanOrEqual: optional(bound),
      greaterThan: optional(bound),
      greaterThanOrEqual: optional(bound),
      equal: optional(bound),
      otherThan: optional(bound),
      even: optional(fc.boolean()),
      odd: optional(fc.boolean()),
      positive: optional(fc.boolean()),
      negative: optional(fc.boolean())
    })
    .map(defined)

  it.prop(
    "passes iff the value is a number meeting every option; reports the first broken one",
    [value, options],
    ([v, o]) => {
      const isNumber = typeof v === "number" && !Number.isNaN(v)
      const n = v as number
      const expected = isNumber
        ? firstBroken("Amount", [
          [!o.integer || Number.isInteger(n), "integerNumericality", "Amount must be an integer"],
          [
            o.lessThan === undefined || n < o.lessThan,
            "lessThanNumericality",
            `Amount must be less than ${o.lessThan}`
          ],
          [
            o.lessThanOrEqual === undefined || n <= o.lessThanOrEqual,
            "lessThanOrEqualNumericality",
            `Amount must be less than or equal to ${o.lessThanOrEqual}`
          ],
          [
            o.greaterThan === undefined || n > o.greaterThan,
            "greaterThanNumericality",
            `Amount must be greater than ${o.greaterThan}`
          ],
          [
            o.greaterThanOrEqual === undefined || n >= o.greaterThanOrEqual,
            "greaterThanOrEqualNumericality",
            `Amount must be greater than or equal to ${o.greaterThanOrEqual}`
          ],
          [o.equal === undefined || n === o.equal, "equalNumericality", `Amount must equal ${o.equal}`],
          [
            o.otherThan === undefined || n !== o.otherThan,
            "otherThanNumericality",
            `Amount must not equal ${o.otherThan}`
          ],
          [!o.even || (Number.isInteger(n) && Math.abs(n) % 2 === 0), "evenNumericality", "Amount must be even"],
          [!o.odd || (Number.isInteger(n) && Math.abs(n) % 2 === 1), "oddNumericality", "Amount must be odd"],
          [!o.positive || n > 0, "positiveNumericality", "Amount must be positive"],
          [!o.negative || n < 0, "negativeNumericality", "Amount must be negative"]
        ])
        : { rule: "typeNumericality" as const, message: "Amount must be a number", field: "Amount" }
      expect(outcome(Validate.validate(v, "Amount", { numericality: o }))).toEqual(expected)
    }
  )

  const predicates: Record<string, (n: number, bound: number) => boolean> = {
    integer: (n) => Number.isInteger(n),
    lessThan: (n, b) => n < b,
    lessThanOrEqual: (n, b) => n <= b,
    greaterThan: (n, b) => n > b,
    greaterThanOrEqual: (n, b) => n >= b,
    equal: (n, b) => n === b,
    otherThan: (n, b) => n !== b,
    even: (n) => Number.isInteger(n) && Math.abs(n) % 2 === 0,
    odd: (n) => Number.isInteger(n) && Math.abs(n) % 2 === 1,
    positive: (n) => n > 0,
    negative: (n) => n < 0
  }
  const flags = new Set(["integer", "even", "odd", "positive", "negative"])

  it.prop(
    "each option alone matches its reference predicate",
    [
      fc.constantFrom(...Object.keys(predicates)),
      fc.oneof(fc.integer({ min: -6, max: 6 }), bound, fc.constantFrom(-0, 0.5, -1.5, -3)),
      fc.integer({ min: -6, max: 6 })
    ],
    ([option, n, b]) => {
      const recipe = { [option]: flags.has(option) ? true : b } as Validate.NumericalityOptions
      const error = outcome(Validate.validate(n, "n", { numericality: recipe }))
      expect(error === undefined).toBe(predicates[option]!(n, b))
      if (error !== undefined) expect(error.rule).toBe(`${option}Numericality`)
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.prop("numericality: true only asks for a number", [value], ([v]) => {
    const isNumber = typeof v === "number" && !Number.isNaN(v)
    expect(outcome(Validate.validate(v, "n", { numericality: true }))?.rule).toBe(
      isNumber ? undefined : "typeNumericality"
    )
  })
})

describe("inclusion and exclusion", () => {
  const item = fc.oneof(
    fc.string({ unit: fc.constantFrom("a", "A", "b", "B", "é", "É", "ß"), maxLength: 2 }),
    fc.integer({ min: 0, max: 2 }),
    fc.constant(null)
  )
  const list = fc.array(item, { maxLength: 5 })
  const caseSensitive = optional(fc.boolean())

  /** Reference membership: strict equality, strings lower-cased on both sides when insensitive. */
  const member = (l: ReadonlyArray<unknown>, v: unknown, sensitive: boolean) =>
    l.some((x) =>
      !sensitive && typeof x === "string" && typeof v === "string" ? x.toLowerCase() === v.toLowerCase() : x === v
    )

  const recipeList = (l: ReadonlyArray<unknown>, cs: boolean | undefined, short: boolean) =>
    short && cs === undefined ? l : defined({ in: l, caseSensitive: cs })

  it.prop(
    "inclusion passes iff the value is in the list",
    [item, list, caseSensitive, fc.boolean()],
    ([v, l, cs, short]) => {
      const expected = member(l, v, cs ?? true)
        ? undefined
        : { rule: "inclusion", message: "Role is not valid", field: "role" }
      expect(outcome(Validate.validate(v, "role", { inclusion: recipeList(l, cs, short) }))).toEqual(expected)
    }
  )

  it.prop(
    "exclusion passes iff the value is not in the list",
    [item, list, caseSensitive, fc.boolean()],
    ([v, l, cs, short]) => {
      const expected = member(l, v, cs ?? true)
        ? { rule: "exclusion", message: "Name is reserved", field: "name" }
        : undefined
      expect(outcome(Validate.validate(v, "name", { exclusion: recipeList(l, cs, short) }))).toEqual(expected)
    }
  )

  it.prop("case-insensitive lists ignore the case of strings only", [fc.string({ maxLength: 4 })], ([s]) => {
    const flipped = [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("")
    expect(outcome(Validate.validate(flipped, "x", { inclusion: { in: [s], caseSensitive: false } }))).toEqual(
      flipped.toLowerCase() === s.toLowerCase() ? undefined : expect.objectContaining({ rule: "inclusion" })
    )
  })
})

describe("message interpolation", () => {
  const literal = fc.string({ maxLength: 6 }).filter((s) => !/[${}]/.test(s))
  const token = fc.constantFrom("${name}", "${min}", "${max}", "${between}", "${nope}", "${message}")
  const template = fc.array(fc.oneof(literal, token), { maxLength: 8 })
  /** A label with whitespace is used as written, even one that looks like a placeholder. */
  const name = fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a} ${b}`)

  it.prop(
    "every ${option} and ${name} is replaced once, unknown ones stay",
    [template, name, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10, max: 99 })],
    ([pieces, label, min, max]) => {
      const message = pieces.join("")
      const subs: Record<string, string> = { "${name}": label, "${min}": String(min), "${max}": String(max) }
      const expected = pieces.map((p) => subs[p] ?? p).join("")
      const error = outcome(Validate.validate("", label, { length: { min, max, message } }))
      expect(error).toEqual({ rule: "minLength", message: expected, field: label })
    }
  )

  it.prop(
    "numericality options interpolate as written",
    [fc.double({ noNaN: true }), fc.double({ noNaN: true })],
    ([otherThan, lessThan]) => {
      const message = "${otherThan}|${lessThan}|${name}"
      const error = outcome(Validate.validate(otherThan, "Floor", { numericality: { otherThan, lessThan, message } }))
      if (error !== undefined) expect(error.message).toBe(`${otherThan}|${lessThan}|Floor`)
      else expect(otherThan !== otherThan || otherThan < lessThan).toBe(true)
    }
  )

  it.prop("default messages name the field by its label", [
    fc.array(fc.stringMatching(/^[a-z]{2,6}$/), { minLength: 1, maxLength: 4 })
  ], ([words]) => {
    const camel = words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join("")
    const snake = words.join("_")
    const kebab = words.join("-")
    expect(Validate.label(camel)).toBe(Validate.label(snake))
    expect(Validate.label(kebab)).toBe(Validate.label(snake))
    expect(Validate.label(snake).split(" ")).toHaveLength(words.length)
    expect(outcome(Validate.validate(null, snake, { presence: true }))).toEqual({
      rule: "presence",
      message: `${Validate.label(snake)} must be present`,
      field: snake
    })
  })
})

describe("presence, absence, acceptance, email, format", () => {
  const anything = fc.oneof(
    fc.string({ maxLength: 3 }),
    fc.constantFrom(null, undefined, "", 0, false, true, 1, "1", "true")
  )

  it.prop(
    "presence fails exactly on the disallowed empties",
    [anything, optional(fc.boolean()), optional(fc.boolean()), optional(fc.boolean())],
    ([v, allowNull, allowUndefined, allowEmptyString]) => {
      const fails = (v === null && !(allowNull ?? false)) || (v === undefined && !(allowUndefined ?? false)) ||
        (v === "" && !(allowEmptyString ?? true))
      const recipe = defined({ allowNull, allowUndefined, allowEmptyString })
      expect(outcome(Validate.validate(v, "v", { presence: recipe }))?.rule).toBe(fails ? "presence" : undefined)
    }
  )

  it.prop(
    "absence passes exactly on null, undefined and (if allowed) \"\"",
    [anything, optional(fc.boolean())],
    ([v, allowEmptyString]) => {
      const passes = v === null || v === undefined || (v === "" && (allowEmptyString ?? false))
      expect(outcome(Validate.validate(v, "v", { absence: defined({ allowEmptyString }) }))?.rule).toBe(
        passes ? undefined : "absence"
      )
    }
  )

  it.prop("acceptance accepts exactly the listed values (default: only true)", [
    anything,
    optional(fc.array(anything, { maxLength: 3 }))
  ], ([v, list]) => {
    const passes = (list ?? [true]).some((x) => x === v)
    expect(outcome(Validate.validate(v, "v", { acceptance: list === undefined ? true : { in: list } }))?.rule).toBe(
      passes ? undefined : "acceptance"
    )
  })

  it.prop(
    "email accepts local@domain.tld without whitespace",
    [fc.emailAddress(), fc.string({ maxLength: 12 })],
    ([email, junk]) => {
      expect(outcome(Validate.validate(email, "e", { email: true }))).toBeUndefined()
      const reference = /^[^@\s]+@[^.\s]+\.[^\s]+$/.test(junk)
      expect(outcome(Validate.validate(junk, "e", { email: true }))?.rule).toBe(reference ? undefined : "email")
    }
  )

  it.prop("format tests the string form of the value", [
    fc.string({ maxLength: 6 }),
    fc.constantFrom(/^a/, /b$/i, /\d/g, /^$/y)
  ], ([v, pattern]) => {
    const reference = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")).test(v)
    expect(outcome(Validate.validate(v, "f", { format: pattern }))?.rule).toBe(reference ? undefined : "format")
    expect(outcome(Validate.validate(v, "f", { format: pattern }))?.rule).toBe(reference ? undefined : "format")
  })
})
