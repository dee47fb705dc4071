import { MemoryStore } from "@cachet/core"
import { StoreSuite } from "@cachet/core/testing"

StoreSuite.storeSuite("MemoryStore conformance", MemoryStore.layer({ sweepInterval: "100 millis" }))
