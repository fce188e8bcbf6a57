import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { BUNDLE_MAIN_FIELDS, ESM_REQUIRE_BANNER } from "../aws/bundling";

/**
 * Bundles the `cpe` CLI (lib/cli/main.ts and everything it imports, the AWS SDK included) into one ES module,
 * so each call loads one file instead of compiling TypeScript. `bin/cpe.mjs` runs the bundle and calls this
 * (through tsx) only when the manifest says a source changed. The bundle lives under .cache/ and is never
 * committed.
 *
 * Settings as the Lambda bundles (infra/aws/bundling.ts: ESM with the createRequire banner, `module` before
 * `main`), except two: the target is the Node.js running the CLI (not Lambda's), and the AWS SDK keeps its full
 * credential chain (profiles, SSO), which `cpe --aws` needs on an operator's machine.
 */

const REPOSITORY_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI_ENTRY = "lib/cli/main.ts";
export const BUNDLE_FILE = "cpe.mjs";
export const MANIFEST_FILE = "manifest.json";

/**
 * Files whose change makes the bundle stale besides its own sources: how it is built and run, and the installed
 * dependencies (npm rewrites node_modules/.package-lock.json on every install; the files it unpacks keep the
 * tarballs' old timestamps, so their own mtimes say nothing).
 */
const BUILD_INPUTS = [
  "bin/cpe.mjs",
  "infra/cli/build-cli.ts",
  "infra/aws/bundling.ts",
  "package.json",
  "tsconfig.json",
  "node_modules/.package-lock.json",
];

/**
 * Files changed this long before the build began still count as changed afterwards: file times come from a
 * coarse kernel clock that can lag Date.now() by a tick (a few milliseconds), so an edit made while esbuild was
 * reading could otherwise look older than the build. The cost is one needless rebuild after an edit made within
 * this margin before a build; a wider margin would rebuild on every call for that long after each edit.
 */
const CLOCK_MARGIN_MS = 100;

/** Written next to the bundle; bin/cpe.mjs reads it on every call. */
export interface CliManifest {
  /** Date.now() before the build read any source, minus CLOCK_MARGIN_MS. */
  builtAtMs: number;
  /** process.version of the build: a Node.js upgrade rebuilds (the bundle targets that version). */
  node: string;
  /** Repository-relative paths; any of them newer than builtAtMs, or missing, makes the bundle stale. */
  inputs: string[];
}

export async function buildCli(outDir: string): Promise<CliManifest> {
  const builtAtMs = Date.now() - CLOCK_MARGIN_MS;
  mkdirSync(outDir, { recursive: true });
  // Written under a private name, then renamed: a concurrent `cpe` never loads half a file.
  const temporary = join(outDir, `.${BUNDLE_FILE}.${process.pid}.tmp.mjs`);
  try {
    const result = await build({
      entryPoints: [join(REPOSITORY_ROOT, CLI_ENTRY)],
      outfile: temporary,
      bundle: true,
      platform: "node",
      format: "esm",
      target: `node${process.versions.node}`,
      mainFields: BUNDLE_MAIN_FIELDS,
      banner: { js: ESM_REQUIRE_BANNER },
      // Whitespace and syntax only: names stay readable in an unexpected stack trace.
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: "none",
      metafile: true,
      logLevel: "error",
      absWorkingDir: REPOSITORY_ROOT,
    });
    const sources = Object.keys(result.metafile.inputs)
      .map((input) => relative(REPOSITORY_ROOT, resolve(REPOSITORY_ROOT, input)))
      .filter((input) => !input.split("/").includes("node_modules"));
    const manifest: CliManifest = {
      builtAtMs,
      node: process.version,
      inputs: [...new Set([...sources, ...BUILD_INPUTS])].sort(),
    };
    renameSync(temporary, join(outDir, BUNDLE_FILE));
    const manifestTemporary = join(outDir, `.${MANIFEST_FILE}.${process.pid}.tmp`);
    writeFileSync(manifestTemporary, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(manifestTemporary, join(outDir, MANIFEST_FILE));
    return manifest;
  } finally {
    rmSync(temporary, { force: true });
  }
}

// `node --import tsx infra/cli/build-cli.ts OUT_DIR`, as bin/cpe.mjs runs it.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2];
  if (!outDir) {
    process.stderr.write("usage: node --import tsx infra/cli/build-cli.ts OUT_DIR\n");
    process.exit(2);
  }
  try {
    await buildCli(resolve(outDir));
  } catch (error) {
    // esbuild has printed the errors with file and line already.
    process.stderr.write(`cpe: could not build the CLI: ${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  }
}
