import { start, testEnv } from "./harness.js"
const server = await start(testEnv({ LOG_LEVEL: "None" }))
const big: Record<string, number> = {}
for (let i = 0; i < 80_000; i++) big[String(i)] = 0
const body = JSON.stringify({ name: big, email: "a@example.com" })
console.log("body bytes", body.length)
for (let i = 0; i < 2; i++) {
  const t = Date.now()
  const r = await server.request("POST", "/users", { rawBody: body, headers: { "content-type": "application/json" } })
  console.log(r.status, r.text.length, Date.now() - t, "ms", r.text.slice(0, 300))
}
const deep = "[".repeat(3000) + "]".repeat(3000)
for (const [m, p] of [["POST", "/users"], ["PATCH", "/users/1"], ["POST", "/users/1/posts"], ["PATCH", "/posts/1"], ["POST", "/posts/1/comments"], ["POST", "/cache/invalidate"]]) {
  const r = await server.request(m, p, { rawBody: `{"name":${deep},"tags":${deep}}`, headers: { "content-type": "application/json", authorization: "Bearer test-token" } })
  console.log(m, p, r.status, r.text.slice(0, 200))
}
for (const [m, p, ct, b] of [["POST", "/users", "application/x-www-form-urlencoded", "name=Abc&email=x@y.z"], ["POST", "/users", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAbc\r\n--x--\r\n"], ["POST", "/users", "text/plain", "{}"]]) {
  const r = await server.request(m, p, { rawBody: b, headers: { "content-type": ct } })
  console.log(ct, r.status, r.text.slice(0, 200))
}
for (const p of ["/users/1;x/posts", "/USERS/1", "//users/1", "/users//1", "/users/1/", "/posts?limit=0x10", "/posts?limit=%205", "/posts?limit=1e2", "/posts?limit=5.0"]) {
  const r = await server.get(p)
  console.log(p, r.status, r.text.slice(0, 120))
}
console.log("HEAD", (await server.request("HEAD", "/users/1")).status)
const r = await server.request("PUT", "/users/1", { body: {} })
console.log("PUT", r.status, r.headers.get("allow"), r.text.slice(0, 100))
const d = await server.get("/docs")
console.log("docs", [...d.headers.entries()].map(([k, v]) => `${k}: ${v.slice(0, 80)}`).join("\n"))
await server.close()
