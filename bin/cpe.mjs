#!/usr/bin/env node
// `npm run -s cpe -- <command>`: runs the bundled CLI (.cache/cpe/cpe.mjs), rebuilding it first when a file it was
// built from changed since (infra/cli/build-cli.ts lists them in manifest.json). Plain JavaScript, so that a call
// with an up-to-date bundle loads no TypeScript at all; a rebuild takes well under a second.
// CPE_BUNDLE_DIR puts the bundle elsewhere (the tests use a scratch folder).
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT_DIR = resolve(process.env.CPE_BUNDLE_DIR || join(ROOT, ".cache", "cpe"));
const BUNDLE = join(OUT_DIR, "cpe.mjs");

/** The bundle exists, was built by this Node.js, and no input is newer than the build or missing. */
function isFresh() {
  try {
    const manifest = JSON.parse(readFileSync(join(OUT_DIR, "manifest.json"), "utf8"));
    statSync(BUNDLE);
    return (
      manifest.node === process.version &&
      manifest.inputs.every((input) => statSync(join(ROOT, input)).mtimeMs < manifest.builtAtMs)
    );
  } catch {
    return false; // no bundle, no manifest, or an input is gone
  }
}

if (!isFresh()) {
  // The build's own output goes to stderr: stdout is the command's data.
  const build = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "infra", "cli", "build-cli.ts"), OUT_DIR],
    { cwd: ROOT, stdio: ["ignore", 2, 2] },
  );
  if (build.status !== 0) process.exit(1);
}

const { main } = await import(pathToFileURL(BUNDLE).href);
await main(process.argv.slice(2));
