import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { replayDlq } from "../../../lib/ops/dlq";

// replayDlq against a scripted SQS: the orderings fauxqs cannot produce (several messages of one FIFO group in
// one receive, a delete that fails after the send succeeded). The real round trips are in test/integration/ops.

function dlqMessage(id: string, orderId: number): Message {
  return {
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: JSON.stringify({ id: `evt_${id}` }),
    MessageAttributes: {
      store_id: { DataType: "Number", StringValue: "511" },
      order_id: { DataType: "String", StringValue: String(orderId) },
      event_type: { DataType: "String", StringValue: "orders.updated.placed" },
    },
    Attributes: { MessageGroupId: `511#${orderId}`, ApproximateReceiveCount: "6" },
  };
}

function scriptedSqs(batches: Message[][], failures: { send?: Set<string>; delete?: Set<string> } = {}) {
  const calls: string[] = [];
  const released: string[] = [];
  const client = {
    async send(command: unknown) {
      if (command instanceof ReceiveMessageCommand) {
        calls.push("receive");
        return { Messages: batches.shift() ?? [] };
      }
      if (command instanceof SendMessageCommand) {
        const eventId = JSON.parse(command.input.MessageBody ?? "{}").id as string;
        calls.push(`send ${eventId}`);
        if (failures.send?.has(eventId)) throw new Error("throttled");
        return { MessageId: `new-${eventId}` };
      }
      if (command instanceof DeleteMessageCommand) {
        calls.push(`delete ${command.input.ReceiptHandle}`);
        if (failures.delete?.has(command.input.ReceiptHandle ?? "")) throw new Error("network down");
        return {};
      }
      if (command instanceof ChangeMessageVisibilityBatchCommand) {
        for (const entry of command.input.Entries ?? []) released.push(entry.ReceiptHandle ?? "");
        return { Failed: [] };
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  };
  return { sqs: client as unknown as SQSClient, calls, released };
}

const URLS = { dlqUrl: "http://sqs/dlq.fifo", queueUrl: "http://sqs/main.fifo", waitSeconds: 0 };

describe("replayDlq", () => {
  it("sends before it deletes, one message at a time", async () => {
    const { sqs, calls, released } = scriptedSqs([[dlqMessage("a", 1), dlqMessage("b", 2)]]);
    const result = await replayDlq(sqs, URLS);
    expect(calls).toEqual(["receive", "send evt_a", "delete rh-a", "send evt_b", "delete rh-b", "receive"]);
    expect(result).toMatchObject({ moved: 2, failed: 0, skipped: 0, notReleased: 0 });
    expect(released).toEqual([]);
  });

  it("after a failed send, keeps the order's later events in the DLQ too (FIFO order), others move", async () => {
    const { sqs, calls, released } = scriptedSqs(
      [[dlqMessage("a1", 1), dlqMessage("a2", 1), dlqMessage("b", 2)]],
      { send: new Set(["evt_a1"]) },
    );
    const result = await replayDlq(sqs, URLS);
    expect(result).toMatchObject({ moved: 1, failed: 1, skipped: 1 });
    expect(calls).not.toContain("send evt_a2");
    expect(calls).not.toContain("delete rh-a1");
    expect(result.outcomes.find((o) => o.entry.messageId === "a2")?.error).toMatch(
      /earlier event of this order/,
    );
    expect(released.sort()).toEqual(["rh-a1", "rh-a2"]); // visible again at the end of the run
  });

  it("a delete that fails after the send is a failure naming the copy, and the message stays in the DLQ", async () => {
    const { sqs, released } = scriptedSqs([[dlqMessage("a", 1)]], { delete: new Set(["rh-a"]) });
    const result = await replayDlq(sqs, URLS);
    expect(result).toMatchObject({ moved: 0, failed: 1 });
    expect(result.outcomes[0]).toMatchObject({ kind: "failed", newMessageId: "new-evt_a" });
    expect(result.outcomes[0]?.error).toMatch(/sent to the main queue \(as new-evt_a\) but not deleted/);
    expect(released).toEqual(["rh-a"]);
  });

  it("counts a message that comes back in the same run (hold expired) once", async () => {
    const { sqs, calls } = scriptedSqs([[dlqMessage("a", 1)], [dlqMessage("a", 1)]], {
      send: new Set(["evt_a"]),
    });
    const result = await replayDlq(sqs, URLS);
    expect(result).toMatchObject({ moved: 0, failed: 1 });
    expect(calls.filter((call) => call === "send evt_a")).toHaveLength(1);
  });

  it("reports progress after every message", async () => {
    const { sqs } = scriptedSqs([[dlqMessage("a", 1), dlqMessage("b", 2)]]);
    const seen: number[] = [];
    await replayDlq(sqs, { ...URLS, onProgress: (counts) => seen.push(counts.moved) });
    expect(seen).toEqual([1, 2]);
  });
});
