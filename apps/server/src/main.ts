/**
 * Starts the blog: `tsx --conditions=@cachet/source src/main.ts` (or `npm start` at the root).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Layer } from "effect"

import { HttpLive } from "./Http.js"

HttpLive.pipe(Layer.launch, NodeRuntime.runMain)
