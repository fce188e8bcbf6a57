import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkMove, edges, MOVES, RECEIPT_STATES } from "../../../lib/store/lifecycle";

describe("the receipt lifecycle table", () => {
  it("refuses any move that is not one of its edges", () => {
    expect(checkMove("land", "RESERVED", "ACCEPTED").name).toBe("land");
    expect(() => checkMove("land", "ACCEPTED", "SUBMITTED")).toThrow(
      /cannot move a record from ACCEPTED to SUBMITTED/,
    );
    expect(() => checkMove("reserve", "RESERVED", "RESERVED")).toThrow(/cannot move/);
    expect(() => checkMove("sunat_answer", "SUBMITTED", "SUBMITTED")).toThrow(/cannot move/);
  });

  it("lets no move leave a receipt the API holds except SUNAT's answer, STALE, a reissue and closing a rejected one", () => {
    const leaving = edges().filter((edge) =>
      ["ACCEPTED", "REJECTED", "SUBMITTED", "STALE"].includes(edge.from),
    );
    expect(new Set(leaving.map((edge) => edge.move))).toEqual(
      new Set(["sunat_answer", "poll_again", "stale", "reissue", "close"]),
    );
    // An accepted receipt is never left: undoing it takes a credit note, a document of its own.
    expect(edges().filter((edge) => edge.from === "ACCEPTED")).toEqual([]);
  });

  it("reaches every state", () => {
    const reached = new Set(edges().map((edge) => edge.to));
    for (const state of RECEIPT_STATES) expect(reached.has(state), state).toBe(true);
    expect(MOVES.length).toBeGreaterThan(0);
  });

  it("is the state diagram the README draws, edge for edge", () => {
    const readme = readFileSync("README.md", "utf8");
    const block = /```mermaid\nstateDiagram-v2\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, "README.md has a mermaid stateDiagram-v2 block").toBeDefined();
    const drawn = new Set(
      (block ?? "")
        .split("\n")
        .map((line) => /^\s*(\[\*\]|[A-Z_]+)\s*-->\s*([A-Z_]+)\s*:\s*([a-z_]+)\s*$/.exec(line))
        .filter((match) => match !== null)
        .map((match) => `${match[1] === "[*]" ? "NONE" : match[1]}>${match[2]}:${match[3]}`),
    );
    const table = new Set(edges().map((edge) => `${edge.from}>${edge.to}:${edge.move}`));
    expect([...drawn].sort()).toEqual([...table].sort());
  });
});
