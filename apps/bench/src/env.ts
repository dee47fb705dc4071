/**
 * Imported first by `main.ts`: peers are measured in their production mode unless NODE_ENV says
 * otherwise (urql checks `process.env.NODE_ENV` on every call; Apollo checks `globalThis.__DEV__`
 * and, in development, deep-freezes every result it returns).
 */
process.env.NODE_ENV ??= "production"
if (process.env.NODE_ENV === "production") (globalThis as { __DEV__?: boolean }).__DEV__ ??= false

export {}
