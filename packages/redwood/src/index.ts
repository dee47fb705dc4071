/**
 * RedwoodJS's service cache (`createCache`, the cache clients) and Service Validations
 * (`validate`, `validateWith`, `validateUniqueness`, the errors) with RedwoodJS's API and
 * semantics, on Cachet: the validations run `@cachet/validate`'s rules, and `CachetClient`
 * gives the service cache Cachet's engine (tags, single-flight, any Cachet store).
 *
 * @since 0.1.0
 */
export * from "./cache.js"
export * from "./validations.js"
