/** The error of a store that could not be opened, shared by the `StoreSpec` facade and its layer. */
import { Data } from "effect"

/**
 * The store of a specification could not be opened or reached.
 *
 * @since 0.1.0
 * @category errors
 */
export class StoreOpenError extends Data.TaggedError("StoreOpenError")<{
  readonly store: string
  readonly reason: string
}> {
  override get message(): string {
    return this.reason
  }
}
