/**
 * The `cachet` command line: its command tree and the modules behind it (the program itself
 * is `src/main.ts`, run by `bin/cachet.js`).
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"
export * as CliError from "./CliError.js"
export * as Flags from "./Flags.js"
export * as Output from "./Output.js"
export * as Settings from "./Settings.js"
export * as StoreSpec from "./StoreSpec.js"
export * as Target from "./Target.js"
