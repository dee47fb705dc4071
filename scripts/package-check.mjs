// What users install, checked: build every library package, pack it, lint the tarball with publint
// and @arethetypeswrong/cli, then install the tarballs into a project outside the workspace with
// the documented install command and run a program on plain Node (scripts/package-smoke/smoke.mjs).
//
//   npm run check:package                 # everything
//   npm run check:package -- --no-build   # reuse packages/*/dist
//   npm run check:package -- --keep       # leave the temporary directory for a look
//   npm run check:package -- --compile-sqlite  # build the consumer's better-sqlite3 from source
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(fileURLToPath(new URL("..", import.meta.url)))
const args = new Set(process.argv.slice(2))
const bin = (name) => Path.join(root, "node_modules", ".bin", name)

/** The install line the docs give first, and what to run when the docs do not exist yet. */
const gettingStarted = Path.join(root, "docs", "getting-started.md")
const fallbackInstall = "npm i effect@3.22 @effect/platform@0.97 @effect/platform-node@0.108 @cachet/core"
/** The packages the smoke program uses besides @cachet/core (their peers are installed alongside). */
const smokePackages = ["sqlite", "http", "graphql"]

const started = Date.now()
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`
const fail = (message) => {
  console.error(`check:package: ${message}`)
  process.exit(1)
}
const run = (command, argv, options = {}) => {
  const result = spawnSync(command, argv, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options })
  if (result.error) throw result.error
  return result
}
const runOrFail = (label, command, argv, options) => {
  const result = run(command, argv, options)
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr)
    fail(`${label} failed (exit ${result.status})`)
  }
  return result
}
const step = (name, body) => {
  const since = Date.now()
  console.log(`\n== ${name}`)
  const value = body()
  console.log(`== ${name}: ${seconds(since)}`)
  return value
}

const libraries = Fs.readdirSync(Path.join(root, "packages"))
  .filter((dir) => Fs.existsSync(Path.join(root, "packages", dir, "package.json")))
  .map((dir) => {
    const path = Path.join(root, "packages", dir)
    return { dir, path, pkg: JSON.parse(Fs.readFileSync(Path.join(path, "package.json"), "utf8")) }
  })
  .filter(({ pkg }) => !pkg.private)

const work = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cachet-package-check-"))
const tarballs = Path.join(work, "tarballs")
Fs.mkdirSync(tarballs)
process.on("exit", () => {
  if (args.has("--keep")) console.log(`check:package: kept ${work}`)
  else Fs.rmSync(work, { recursive: true, force: true })
})

if (!args.has("--no-build")) {
  step("build (turbo, every library package)", () => {
    runOrFail("npm run build", "npm", ["run", "build", "--", "--output-logs=errors-only"], { stdio: "inherit" })
  })
}

const packed = step("pack", () =>
  libraries.map((library) => {
    const result = runOrFail(`npm pack ${library.pkg.name}`, "npm", [
      "pack",
      "--json",
      "--pack-destination",
      tarballs
    ], { cwd: library.path })
    const [info] = JSON.parse(result.stdout)
    const files = info.files.map((file) => file.path)
    const problems = []
    for (
      const required of ["dist/index.js", "dist/index.d.ts", "dist/index.js.map", "dist/index.d.ts.map", "package.json"]
    ) {
      if (!files.includes(required)) problems.push(`missing ${required}`)
    }
    for (const file of files) {
      if (/(^|\/)(test|tests|__tests__)\//.test(file) || /\.(test|spec)\.[cm]?[jt]s$/.test(file)) {
        problems.push(`ships a test file: ${file}`)
      }
      if (file.endsWith(".tsbuildinfo")) problems.push(`ships ${file}`)
    }
    if (problems.length > 0) fail(`${library.pkg.name}: ${problems.join("; ")}`)
    const tarball = Path.join(tarballs, info.filename)
    console.log(`${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(0)} kB`)
    return { ...library, tarball }
  }))

step("publint", () => {
  for (const { pkg, tarball } of packed) {
    const result = runOrFail(`publint ${pkg.name}`, bin("publint"), ["run", tarball, "--strict"])
    const output = (result.stdout + result.stderr).trim()
    // Suggestions do not fail the run: they are printed for a look.
    console.log(`${pkg.name}: ${output.split("\n").filter((line) => line.trim()).join("\n  ")}`)
  }
})

step("attw (--profile esm-only: the packages are ESM only)", () => {
  for (const { pkg, tarball } of packed) {
    const result = run(bin("attw"), [tarball, "--profile", "esm-only", "--format", "table-flipped", "--no-color"])
    if (result.status !== 0) {
      process.stderr.write(result.stdout + result.stderr)
      fail(`attw ${pkg.name} failed (exit ${result.status})`)
    }
    console.log(`${pkg.name}: no problems`)
  }
})

step("consumer smoke test (a project outside the workspace, plain Node)", () => {
  const project = Path.join(work, "consumer")
  Fs.mkdirSync(project)
  Fs.writeFileSync(
    Path.join(project, "package.json"),
    JSON.stringify({ name: "cachet-consumer", version: "1.0.0", private: true, type: "module" }, null, 2) + "\n"
  )
  const byName = new Map(packed.map((entry) => [entry.pkg.name, entry]))
  const tarballOf = (spec) => {
    const name = spec.replace(/^(@[^/]+\/[^@]+)@.*$/, "$1")
    const entry = byName.get(name)
    if (!entry) fail(`the install command names ${spec}, which is not a packed library package`)
    return entry.tarball
  }
  const npmEnv = {
    ...process.env,
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false"
  }
  // No workspace condition or loader may leak into the consumer's Node.
  delete npmEnv.NODE_OPTIONS

  // better-sqlite3 (under @effect/sql-sqlite-node) installs with prebuild-install, which users
  // get from GitHub; with only the npm registry reachable it would compile SQLite (~2 min). Its
  // documented local-prebuilds directory is given the binary the workspace built for this Node
  // (same version, same ABI): the consumer's install unpacks and loads it, or compiles if it
  // does not fit.
  const sqliteDir = Path.join(root, "node_modules", "better-sqlite3")
  const sqliteBinary = Path.join(sqliteDir, "build", "Release", "better_sqlite3.node")
  if (!args.has("--compile-sqlite") && Fs.existsSync(sqliteBinary)) {
    const { version } = JSON.parse(Fs.readFileSync(Path.join(sqliteDir, "package.json"), "utf8"))
    const prebuilds = Path.join(work, "prebuilds")
    Fs.mkdirSync(prebuilds)
    const name =
      `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
    runOrFail("packing better-sqlite3's binary", "tar", [
      "-czf",
      Path.join(prebuilds, name),
      "-C",
      sqliteDir,
      "build/Release/better_sqlite3.node"
    ])
    // prebuild-install reads `.prebuild-installrc` from the directories above the package (rc).
    Fs.writeFileSync(Path.join(project, ".prebuild-installrc"), `local-prebuilds=${prebuilds}\n`)
    console.log(`better-sqlite3: the workspace's build offered as ${name}`)
  }

  // 1. Exactly the documented install command, @cachet packages taken from the tarballs.
  let documented = fallbackInstall
  if (Fs.existsSync(gettingStarted)) {
    const block = /```(?:sh|bash|shell)\n([\s\S]*?)```/.exec(Fs.readFileSync(gettingStarted, "utf8"))
    const line = block?.[1].split("\n").find((text) => /^npm (i|install)\s/.test(text.trim()))
    if (!line) fail(`${Path.relative(root, gettingStarted)}: no npm install line in its first sh block`)
    documented = line.trim()
  } else {
    console.log(`note: ${Path.relative(root, gettingStarted)} does not exist yet; using: ${fallbackInstall}`)
  }
  console.log(`documented: ${documented}`)
  const [npm, ...documentedArgs] = documented.split(/\s+/)
  if (npm !== "npm") fail(`the documented install command does not start with npm: ${documented}`)
  const installArgs = documentedArgs.map((arg) => (arg.startsWith("@cachet/") ? tarballOf(arg) : arg))
  let since = Date.now()
  runOrFail("the documented install", "npm", installArgs, { cwd: project, env: npmEnv, stdio: "inherit" })
  console.log(`installed the documented set in ${seconds(since)}`)

  // 2. The other packages the program uses, with their peers at the versions the workspace tests with.
  const installed = JSON.parse(Fs.readFileSync(Path.join(project, "package.json"), "utf8")).dependencies ?? {}
  const extras = new Map()
  for (const dir of smokePackages) {
    const { pkg } = packed.find((entry) => entry.dir === dir)
    for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
      const meta = pkg.peerDependenciesMeta?.[peer]
      if (peer in installed || meta?.optional) continue
      const version = pkg.devDependencies?.[peer]
      if (!version) fail(`${pkg.name}: peer ${peer} has no pinned devDependency to install`)
      extras.set(peer, `${peer}@${version}`)
    }
  }
  const extraArgs = [...extras.values(), ...smokePackages.map((dir) => tarballOf(`@cachet/${dir}`))]
  console.log(`then: npm i ${extraArgs.map((arg) => (arg.endsWith(".tgz") ? Path.basename(arg) : arg)).join(" ")}`)
  since = Date.now()
  runOrFail("the extra install", "npm", ["i", ...extraArgs], { cwd: project, env: npmEnv, stdio: "inherit" })
  console.log(`installed the rest in ${seconds(since)}`)

  // 3. The tree is whole (no missing or invalid peers), every @cachet package is a packed tarball
  //    and there is one copy of effect.
  const ls = run("npm", ["ls", "--all", "--json", "--long"], { cwd: project, env: npmEnv })
  if (ls.status !== 0) {
    process.stderr.write(ls.stdout + ls.stderr)
    fail("npm ls: the consumer's tree has problems")
  }
  const versions = new Map()
  const walk = (deps) => {
    for (const [name, node] of Object.entries(deps ?? {})) {
      if (name.startsWith("@cachet/") && !String(node.resolved).startsWith("file:")) {
        fail(`${name} in the consumer's tree did not come from a tarball (${node.resolved})`)
      }
      if (!versions.has(name)) versions.set(name, new Set())
      versions.get(name).add(node.version)
      walk(node.dependencies)
    }
  }
  walk(JSON.parse(ls.stdout).dependencies)
  for (const name of ["effect", "@effect/platform", "graphql"]) {
    if (versions.get(name)?.size !== 1) {
      fail(`expected one version of ${name}, found ${[...(versions.get(name) ?? [])]}`)
    }
  }
  console.log(
    `tree: effect ${[...versions.get("effect")]}, ${
      [...versions.keys()].filter((n) => n.startsWith("@cachet/")).join(", ")
    }`
  )

  const built = Fs.existsSync(Path.join(project, "node_modules", "better-sqlite3", "build", "Release", "obj.target"))
  console.log(`better-sqlite3: ${built ? "compiled from source" : "the prebuilt binary"}`)

  // 4. The program, on plain Node.
  Fs.copyFileSync(Path.join(root, "scripts", "package-smoke", "smoke.mjs"), Path.join(project, "smoke.mjs"))
  runOrFail("the smoke program", process.execPath, ["smoke.mjs"], { cwd: project, env: npmEnv, stdio: "inherit" })
})

console.log(`\ncheck:package: ${packed.length} packages built, packed, linted and smoke-tested in ${seconds(started)}`)
