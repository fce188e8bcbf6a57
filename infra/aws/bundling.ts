import { fileURLToPath } from "node:url";

/**
 * How every Lambda function is bundled (local esbuild, no Docker). The CDK stack and the benchmark's bundle
 * measurement both take their settings from here, so what is measured is what is deployed.
 */

/**
 * esbuild's ESM output still calls `require` for the few CommonJS-only dependencies it bundles; Node's ESM
 * scope has none, so the bundle defines one first.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __acelerala_createRequire } from 'node:module'; " +
  "const require = __acelerala_createRequire(import.meta.url);";

/** Lambda's Node.js 22 runtime. */
export const BUNDLE_TARGET = "node22";
/** Prefer packages' ES modules, so unused SDK code is tree-shaken. */
export const BUNDLE_MAIN_FIELDS = ["module", "main"];

/**
 * Module replacements: the SDK's credential chain becomes the environment-only provider Lambda needs, and the
 * event-stream codec (never used by the operations these functions call) a stub that says so if it ever is.
 */
export const BUNDLE_ALIASES: Record<string, string> = {
  "@aws-sdk/credential-provider-node": fileURLToPath(new URL("./lambda-credentials.ts", import.meta.url)),
  "@smithy/core/event-streams": fileURLToPath(new URL("./no-event-streams.ts", import.meta.url)),
};
