// #region quickstart
import { createCache } from "@cachet/promise"

const cache = createCache({ store: process.env.CACHET_STORE ?? "memory", ttl: "5 minutes", grace: "1 hour" })

const findUser = (id: string) =>
  cache.getOrSet(["users", id], async () => ({ id, name: `User ${id}` }), { tags: [`users/${id}`] })

cache.on("hit", ({ ageMillis, key }) => process.stdout.write(`hit ${key} (${ageMillis} ms old)\n`))

await findUser("1") // a miss: the factory runs once, for every concurrent caller
await findUser("1") // a hit
await cache.invalidate("users/1") // every entry tagged users/1 (or below it) is gone
await cache.close() // connections and timers released: the process can exit
// #endregion quickstart
