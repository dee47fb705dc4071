import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

import { KvStore } from "@cachet/core"
import { StoreSuite } from "@cachet/core/testing"
import * as NodeKeyValueStore from "@effect/platform-node/NodeKeyValueStore"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { Layer } from "effect"

StoreSuite.storeSuite(
  "KvStore (memory)",
  KvStore.layer.pipe(Layer.provide(KeyValueStore.layerMemory))
)

const directory = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-kv-"))

StoreSuite.storeSuite(
  "KvStore (file system)",
  KvStore.layer.pipe(Layer.provide(NodeKeyValueStore.layerFileSystem(directory)))
)
