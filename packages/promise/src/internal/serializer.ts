/**
 * A `serialize`/`deserialize` pair as the Schema the cache stores values with.
 *
 * @internal
 */
import { ParseResult, Schema } from "effect"

const reasonOf = (error: unknown): string => error instanceof Error ? error.message : String(error)

/** A Schema from stored text to the value, through the user's pair. @internal */
export const fromSerializer = <V>(
  serialize: (value: V) => string,
  deserialize: (text: string) => V
): Schema.Schema<V, string, never> =>
  Schema.transformOrFail(Schema.String, Schema.Unknown as Schema.Schema<V>, {
    strict: true,
    decode: (text, _, ast) => {
      try {
        return ParseResult.succeed(deserialize(text))
      } catch (error) {
        return ParseResult.fail(new ParseResult.Type(ast, text, `deserialize failed: ${reasonOf(error)}`))
      }
    },
    encode: (value, _, ast) => {
      try {
        const text = serialize(value)
        return typeof text === "string"
          ? ParseResult.succeed(text)
          : ParseResult.fail(new ParseResult.Type(ast, value, "serialize must return a string"))
      } catch (error) {
        return ParseResult.fail(new ParseResult.Type(ast, value, `serialize failed: ${reasonOf(error)}`))
      }
    }
  })
