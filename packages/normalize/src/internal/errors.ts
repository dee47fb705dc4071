/**
 * The errors of the graph and its document front end, in a module of their own so that the
 * public modules and the internals import them alike (no constructor handed around, no cycle).
 * @internal
 */
import { Data } from "effect"

/**
 * A transaction object used after the updater (or optimistic function) it was given to has
 * returned: urql's "(2) Invalid Cache Call".
 * @internal
 */
export class InvalidCacheCall extends Data.TaggedError("InvalidCacheCall")<{
  readonly operation: string
  readonly mutation: string
}> {
  override get message(): string {
    return `(2) Invalid Cache Call: ${this.operation} was called on the transaction of mutation ` +
      `${JSON.stringify(this.mutation)} after its updater returned; cache updates are only possible inside updaters`
  }
}
