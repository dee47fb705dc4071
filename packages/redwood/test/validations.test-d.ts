/**
 * Type tests of the validation options: where RedwoodJS's shapes are `@cachet/validate`'s, the
 * names are its types; where they differ, RedwoodJS's shapes are accepted. Checked by `tsc`
 * (vitest's typecheck mode), never run.
 */
import type { Validate } from "@cachet/validate"
import { describe, expectTypeOf, it } from "vitest"

import type {
  AbsenceOptions,
  AcceptanceOptions,
  CustomOptions,
  EmailOptions,
  FormatOptions,
  LengthOptions,
  ListOptions,
  NumericalityOptions,
  PresenceOptions,
  ValidationRecipe,
  ValidationWithMessagesRecipe
} from "@cachet/redwood"

describe("validation options", () => {
  it("are @cachet/validate's where the shapes agree", () => {
    expectTypeOf<AbsenceOptions>().toEqualTypeOf<Validate.AbsenceOptions>()
    expectTypeOf<AcceptanceOptions>().toEqualTypeOf<Validate.AcceptanceOptions>()
    expectTypeOf<EmailOptions>().toEqualTypeOf<Validate.EmailOptions>()
    expectTypeOf<NumericalityOptions>().toEqualTypeOf<Validate.NumericalityOptions>()
    expectTypeOf<PresenceOptions>().toEqualTypeOf<Validate.PresenceOptions>()
  })

  it("take RedwoodJS's shapes where they differ", () => {
    expectTypeOf<{ caseSensitive: false }>().toExtend<ListOptions>()
    expectTypeOf<{ caseSensitive: false }>().not.toExtend<Validate.ListOptions>()
    expectTypeOf<{ pattern: null }>().toExtend<FormatOptions>()
    expectTypeOf<{ pattern: null }>().not.toExtend<Validate.FormatOptions>()
    expectTypeOf<{ between: Array<number> }>().toExtend<LengthOptions>()
    expectTypeOf<{ between: Array<number> }>().not.toExtend<Validate.LengthOptions>()
    expectTypeOf<CustomOptions["with"]>().toEqualTypeOf<() => void>()
    expectTypeOf<{ message: string }>().toExtend<Omit<CustomOptions, "with">>()
  })

  it("recipes use them, and the message-only recipe requires messages", () => {
    const recipe: ValidationRecipe = {
      presence: { allowEmptyString: false },
      numericality: { integer: true, greaterThan: 0 },
      exclusion: { caseSensitive: false },
      length: { between: [1, 10] },
      custom: { with: () => {} }
    }
    expectTypeOf(recipe).toExtend<ValidationRecipe>()
    expectTypeOf<ValidationRecipe["numericality"]>().toEqualTypeOf<Validate.Recipe["numericality"]>()
    expectTypeOf<{ presence: { allowNull: true } }>().not.toExtend<ValidationWithMessagesRecipe>()
    expectTypeOf<{ format: { message: "bad"; pattern: null } }>().toExtend<ValidationWithMessagesRecipe>()
  })
})
