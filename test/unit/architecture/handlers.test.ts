import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The shape the handlers keep (issue 14): thin, one wiring, no Lambda types below them.

const ROOT = path.resolve(import.meta.dirname, "../../..");

function sourcesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    if (statSync(full).isDirectory()) return sourcesUnder(full);
    return name.endsWith(".ts") ? [full] : [];
  });
}

const handlers = readdirSync(path.join(ROOT, "functions")).map((name) => ({
  name,
  source: readFileSync(path.join(ROOT, "functions", name, "index.ts"), "utf8"),
}));

describe("handlers", () => {
  it("are the five functions, each at most 60 lines", () => {
    expect(handlers.map((h) => h.name).sort()).toEqual([
      "cdr-poller",
      "console",
      "receipt-worker",
      "reconciler",
      "webhook-receiver",
    ]);
    for (const { name, source } of handlers)
      expect([name, source.split("\n").length <= 60]).toEqual([name, true]);
  });

  it("build their collaborators once per environment, from the one config loader in lib/", () => {
    for (const { name, source } of handlers) {
      expect([name, source.includes("oncePerEnvironment(")]).toEqual([name, true]);
      expect([name, /loadConfig|process\.env\.[A-Z]/.test(source)]).toEqual([name, false]);
    }
  });

  it("leave Lambda's event types to functions/: nothing under lib/ imports aws-lambda", () => {
    const offenders = sourcesUnder(path.join(ROOT, "lib")).filter((file) =>
      /from "aws-lambda"/.test(readFileSync(file, "utf8")),
    );
    expect(offenders.map((file) => path.relative(ROOT, file))).toEqual([]);
  });
});
