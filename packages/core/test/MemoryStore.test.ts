import { StoreSuite } from "@cachet/core/testing"
import { MemoryStore } from "@cachet/core"

StoreSuite.storeSuite("MemoryStore conformance", MemoryStore.layer({ sweepInterval: "100 millis" }))
