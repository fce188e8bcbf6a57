import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { processFifoBatch } from "../../../lib/worker/fifo-batch";

function record(messageId: string, group: string): SQSRecord {
  return { messageId, attributes: { MessageGroupId: group } } as unknown as SQSRecord;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("processFifoBatch", () => {
  it("runs different groups at the same time and one group in order", async () => {
    const log: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const result = await processFifoBatch(
      [record("a1", "A"), record("b1", "B"), record("a2", "A"), record("c1", "C"), record("a3", "A")],
      async (r) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        log.push(`start ${r.messageId}`);
        await tick();
        log.push(`end ${r.messageId}`);
        inFlight--;
      },
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(maxInFlight).toBe(3);
    const a = log.filter((line) => line.includes(" a"));
    expect(a).toEqual(["start a1", "end a1", "start a2", "end a2", "start a3", "end a3"]);
  });

  it("fails the rest of a group after a failure, without trying it, and leaves other groups alone", async () => {
    const tried: string[] = [];
    const result = await processFifoBatch(
      [record("a1", "A"), record("a2", "A"), record("a3", "A"), record("b1", "B"), record("b2", "B")],
      async (r) => {
        tried.push(r.messageId);
        if (r.messageId === "a2") throw new Error("503");
      },
    );
    expect(tried.sort()).toEqual(["a1", "a2", "b1", "b2"]);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["a2", "a3"]);
  });
});
