import { Bus, MemoryStore, TieredStore } from "@cachet/core"
import { StoreSuite } from "@cachet/core/testing"
import { Layer } from "effect"

StoreSuite.storeSuite(
  "TieredStore (memory over memory, in-process bus) conformance",
  TieredStore.layer({ localTtl: "2 seconds" }).pipe(
    Layer.provide(Layer.merge(MemoryStore.layer({ sweepInterval: "100 millis" }), Bus.layerInProcess))
  )
)
