/**
 * Work in progress: see the open issue for this package.
 * @since 0.1.0
 */
export {}
