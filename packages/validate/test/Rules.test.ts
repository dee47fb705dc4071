/**
 * The `Rules` entry: the engine `Validate.validate` runs, exposed for other front ends, with the
 * reading of values as a parameter.
 */
import { Rules, Validate } from "@cachet/validate"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc } from "effect"

const ruleOf = (effect: Effect.Effect<void, Validate.ServiceValidationError>) =>
  Either.match(Effect.runSync(Effect.either(effect)), { onLeft: (error) => error.rule, onRight: () => undefined })

/** A reading of values unlike Cachet's on every point. */
const other: Rules.Semantics = {
  lengthOf: (value) => String(value).length,
  isBound: (bound): bound is number => typeof bound === "number" && bound !== 0,
  nanIsNumber: true,
  isOdd: (value) => value % 2 === 1
}

describe("Rules", () => {
  it("check names the broken rule as Validate reports it", () => {
    expect(Rules.check("length", "a", { min: 2 })).toEqual({ rule: "minLength" })
    expect(Rules.check("length", "abc", { between: [1, 2] })).toEqual({
      rule: "betweenLength",
      extra: { min: 1, max: 2 }
    })
    expect(Rules.check("numericality", 4, { lessThan: 3 })).toEqual({ rule: "lessThanNumericality" })
    expect(Rules.check("presence", "", true)).toBeUndefined()
    expect(Rules.isName("length")).toBe(true)
    expect(Rules.isName("custom")).toBe(false)
  })

  it.prop(
    "agrees with Validate.validate on numbers, strings and nulls under any numericality and length bounds",
    [
      fc.oneof(fc.double(), fc.string(), fc.constant(null), fc.integer({ min: -5, max: 5 })),
      fc.integer({ min: -3, max: 6 }),
      fc.constantFrom("lessThan", "greaterThanOrEqual", "equal", "otherThan", "odd", "even", "positive", "min", "max")
    ],
    ([value, bound, option]) => {
      const [rule, options] = option === "min" || option === "max"
        ? ["length" as const, { [option]: bound }]
        : ["numericality" as const, {
          [option]: option === "odd" || option === "even" || option === "positive" ? true : bound
        }]
      expect(Rules.check(rule, value, options)?.rule).toBe(ruleOf(Validate.validate(value, "x", { [rule]: options })))
    }
  )

  it("make reads values with the semantics given, on the same rules", () => {
    const check = Rules.make(other)
    // an emoji: one code point, two UTF-16 units
    expect(Rules.check("length", "🚀", { max: 1 })).toBeUndefined()
    expect(check("length", "🚀", { max: 1 })).toEqual({ rule: "maxLength" })
    // a bound of 0
    expect(Rules.check("length", "a", { max: 0 })).toEqual({ rule: "maxLength" })
    expect(check("length", "a", { max: 0 })).toBeUndefined()
    // NaN: not a number, or a number that breaks no bound
    expect(Rules.check("numericality", Number.NaN, { lessThan: 1 })).toEqual({ rule: "typeNumericality" })
    expect(check("numericality", Number.NaN, { lessThan: 1, positive: true })).toBeUndefined()
    expect(check("numericality", Number.NaN, { equal: 1 })).toEqual({ rule: "equalNumericality" })
    // -3
    expect(Rules.check("numericality", -3, { odd: true })).toBeUndefined()
    expect(check("numericality", -3, { odd: true })).toEqual({ rule: "oddNumericality" })
  })
})
