/**
 * The pagination resolvers of the configuration, as values the compiler recognizes.
 * @internal
 */
import type { PaginationSpec } from "./compile.js"

/** @internal */
export const PaginationTypeId: unique symbol = Symbol.for("@cachet/normalize/Documents/Pagination")

/** A pagination resolver. @internal */
export interface Pagination {
  readonly [PaginationTypeId]: PaginationSpec
}

/** @internal */
export const relayPagination = (): Pagination => ({
  [PaginationTypeId]: { kind: "relay", pageArgs: ["first", "last", "after", "before"], offsetArgument: "" }
})

/** @internal */
export const simplePagination = (
  options?: { readonly offsetArgument?: string; readonly limitArgument?: string }
): Pagination => {
  const offsetArgument = options?.offsetArgument ?? "skip"
  return {
    [PaginationTypeId]: {
      kind: "simple",
      pageArgs: [offsetArgument, options?.limitArgument ?? "limit"],
      offsetArgument
    }
  }
}
