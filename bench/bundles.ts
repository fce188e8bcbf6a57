import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile, stop as stopEsbuild } from "esbuild";
import { BUNDLE_ALIASES, BUNDLE_MAIN_FIELDS, BUNDLE_TARGET, ESM_REQUIRE_BANNER } from "../infra/aws/bundling";
import { cpuCalibrationMs, percentile, round } from "./harness";

/**
 * Bundle size and module init time of each Lambda function, bundled the way infra/aws/stack.ts bundles them
 * (NodejsFunction with local esbuild: ESM, node22, mainFields module,main, the createRequire banner, minified,
 * AWS SDK bundled, nothing external), with the settings both take from infra/aws/bundling.ts.
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const FUNCTIONS = ["webhook-receiver", "receipt-worker", "cdr-poller"] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export interface BundleFigures {
  function: FunctionName;
  /** The minified .mjs (the source map is shipped beside it but not loaded). */
  bytes: number;
  /** Median / p90 of `runs` fresh `node` processes timing `await import(bundle)`. */
  initMsMedian: number;
  initMsP90: number;
  runs: number;
  /** The largest packages in the bundle (bytes of output they account for). */
  largestInputs: { name: string; bytes: number }[];
  /** The machine's load average (1 / 5 / 15 min) when the init runs started, and how fast a core was. */
  loadAverage: number[];
  calibrationMs: number;
}

function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match?.[1]) return match[1];
  return path.split("/").slice(0, 2).join("/");
}

function largestInputs(metafile: Metafile, outputFile: string): { name: string; bytes: number }[] {
  const output = Object.entries(metafile.outputs).find(([name]) => resolve(ROOT, name) === outputFile)?.[1];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(input);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return [...byPackage.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 8);
}

/** A Lambda-like environment for the init measurement (module-level code reads a few of these). */
const INIT_ENV = {
  PATH: process.env.PATH ?? "",
  AWS_REGION: "us-east-1",
  AWS_LAMBDA_FUNCTION_NAME: "bench",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  TZ: ":UTC",
};

const IMPORT_TIMER =
  "const started = performance.now(); await import(process.argv[1]); " +
  "process.stdout.write(String(performance.now() - started));";

export function measureInit(bundlePath: string, runs: number): number[] {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", IMPORT_TIMER, bundlePath], {
      env: INIT_ENV,
      encoding: "utf8",
    });
    times.push(Number(output));
  }
  return times;
}

export async function measureBundles(runs = 20): Promise<BundleFigures[]> {
  const outDir = mkdtempSync(join(tmpdir(), "acelerala-bench-bundles-"));
  try {
    const figures: BundleFigures[] = [];
    for (const name of FUNCTIONS) {
      const outfile = join(outDir, name, "index.mjs");
      const result = await build({
        entryPoints: [join(ROOT, "functions", name, "index.ts")],
        outfile,
        bundle: true,
        platform: "node",
        format: "esm",
        target: BUNDLE_TARGET,
        mainFields: BUNDLE_MAIN_FIELDS,
        banner: { js: ESM_REQUIRE_BANNER },
        alias: BUNDLE_ALIASES,
        minify: true,
        sourcemap: true,
        sourcesContent: false,
        metafile: true,
        logLevel: "warning",
        absWorkingDir: ROOT,
      });
      const loadAverage = loadavg().map((value) => round(value, 2));
      const calibrationMs = cpuCalibrationMs();
      const times = measureInit(outfile, runs);
      figures.push({
        function: name,
        bytes: statSync(outfile).size,
        initMsMedian: round(percentile(times, 50), 1),
        initMsP90: round(percentile(times, 90), 1),
        runs,
        largestInputs: largestInputs(result.metafile, outfile),
        loadAverage,
        calibrationMs,
      });
    }
    return figures;
  } finally {
    await stopEsbuild();
    rmSync(outDir, { recursive: true, force: true });
  }
}

// `npx tsx bench/bundles.ts`: just the bundles.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await measureBundles(Number(process.env.BENCH_INIT_RUNS ?? 20));
  console.log(JSON.stringify(figures, null, 2));
}
