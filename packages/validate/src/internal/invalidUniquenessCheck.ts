/** The error of a uniqueness check that cannot be run, shared by the `Uniqueness` facade and its internals. */
import { Schema } from "effect"

/**
 * A uniqueness check that cannot be run as given: a table or column name that is not a plain
 * SQL identifier (letters, digits and `_`, not starting with a digit; a table may be qualified
 * by one schema name), a column value that is not a scalar, or no column at all. Nothing is
 * sent to the database.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidUniquenessCheck extends Schema.TaggedError<InvalidUniquenessCheck>(
  "@cachet/validate/InvalidUniquenessCheck"
)("InvalidUniquenessCheck", {
  reason: Schema.Literal("InvalidTable", "InvalidColumn", "InvalidValue", "NoColumns"),
  identifier: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    switch (this.reason) {
      case "InvalidTable":
        return `Invalid table name for a uniqueness check: ${JSON.stringify(this.identifier)}`
      case "InvalidColumn":
        return `Invalid column name for a uniqueness check: ${JSON.stringify(this.identifier)}`
      case "InvalidValue":
        return `The value of column ${JSON.stringify(this.identifier)} is not a scalar`
      case "NoColumns":
        return `A uniqueness check on ${JSON.stringify(this.identifier)} needs at least one column`
    }
  }
}
