import type { SQSClient } from "@aws-sdk/client-sqs";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTargetReceiptStore, resolveTarget } from "../../../lib/cli/target";
import { buildReplaySendInput, replayDeduplicationId } from "../../../lib/ops/dlq-message";
import type { ReceiptStore } from "../../../lib/store/receipt-store";
import { localAwsEnv } from "../../support/local-stack";
import { reserveNew } from "../../support/receipt-records";
import {
  cpe,
  createScratch,
  createTestQueues,
  drain,
  putEvent,
  receiveOnce,
  type TestQueues,
  testSqsClient,
  writeLocalEnv,
} from "./support";

// `cpe dlq` against fauxqs (queues of each test's own) and DynamoDB Local (the shared table; unique store ids).
const scratch = createScratch();
let sqs: SQSClient;
let queues: TestQueues;
let envFile: string;
let storeId = 70_000 + Math.floor(Math.random() * 9_000);

beforeAll(() => {
  sqs = testSqsClient();
});
afterAll(() => {
  sqs.destroy();
  scratch.remove();
});
beforeEach(async () => {
  queues = await createTestQueues(sqs);
  envFile = writeLocalEnv(scratch.dir, {
    ORDER_EVENTS_QUEUE_URL: queues.queueUrl,
    ORDER_EVENTS_DLQ_URL: queues.dlqUrl,
  });
  storeId++;
});
afterEach(async () => {
  await queues.remove();
});

interface PeekJson {
  shown: number;
  approximateVisible: number;
  firstSentAt?: string;
  lastSentAt?: string;
  messages: {
    messageId: string;
    storeId: string;
    orderId: string;
    eventType: string;
    receiveCount: number;
    sentAt: string;
    receiptState?: string;
    lastError?: string;
  }[];
}

async function peekJson(...extra: string[]): Promise<PeekJson> {
  const result = await cpe(["dlq", "peek", "--json", "--local-env", envFile, ...extra]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as PeekJson;
}

async function replay(...extra: string[]) {
  return cpe(["dlq", "replay", "--local-env", envFile, ...extra]);
}

describe("cpe dlq peek", () => {
  it("does not consume: two peeks see the same messages, then replay moves them all", async () => {
    for (let order = 1; order <= 12; order++)
      await putEvent(sqs, queues.dlqUrl, storeId, order, `evt_${order}`);
    const first = await peekJson("--max", "20");
    const second = await peekJson("--max", "20");
    expect(first.shown).toBe(12); // more than one receive batch: the hold lets peek see past the first ten
    const ids = first.messages.map((m) => m.messageId).sort();
    expect(second.messages.map((m) => m.messageId).sort()).toEqual(ids);
    expect(new Set(first.messages.map((m) => m.orderId))).toEqual(
      new Set(Array.from({ length: 12 }, (_, i) => String(i + 1))),
    );
    expect(first.messages[0]).toMatchObject({ storeId: String(storeId), eventType: "orders.updated.placed" });
    expect(second.messages[0]?.receiveCount).toBeGreaterThan(first.messages[0]?.receiveCount ?? 0);
    expect(first.firstSentAt).toBeDefined();
    // --max limits what is shown, and still consumes nothing.
    expect((await peekJson()).shown).toBe(10);
    expect((await peekJson("--max", "3")).shown).toBe(3);

    const moved = await replay();
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/^movidos 12, omitidos 0, fallaron 0$/m);
    expect((await peekJson()).shown).toBe(0);
    expect(await drain(sqs, queues.queueUrl)).toHaveLength(12);
  });

  it("prints a table with the receipt's state and last error from DynamoDB, customer data masked", async () => {
    const target = await resolveTarget(
      { "local-env": envFile },
      { stdout() {}, stderr() {}, env: {}, cwd: "/" },
      {
        needsQueues: false,
      },
    );
    const receipts = createTargetReceiptStore(target);
    const store: ReceiptStore = receipts.store;
    const now = new Date("2026-11-21T10:00:00Z");
    await reserveNew(store, { storeId, orderId: 501 }, "F001", now, "590.00");
    await store.recordError(
      { storeId, orderId: 501 },
      "API timeout for customer admin@agrolight.pe 20552103816",
      now,
    );
    receipts.destroy();
    await putEvent(sqs, queues.dlqUrl, storeId, 501, "evt_501");
    await putEvent(sqs, queues.dlqUrl, storeId, 502, "evt_502");

    const result = await cpe(["dlq", "peek", "--local-env", envFile]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^Tienda +Pedido +Evento +Recepciones +Enviado +Primera recepción +Comprobante +Último error$/,
    );
    const row501 = lines.find((line) => /^\d+ +501 /.test(line));
    expect(row501).toMatch(
      /orders\.updated\.placed +\d+ +\d{4}-\d\d-\d\d \d\d:\d\d .* RESERVADO +API timeout/,
    );
    expect(row501).toContain("a***@agrolight.pe 2055*****16");
    expect(result.stdout).not.toContain("admin@agrolight.pe");
    expect(result.stdout).not.toContain("20552103816");
    expect(lines.find((line) => /^\d+ +502 /.test(line))).toMatch(/ sin registro +-$/);
    expect(result.stdout).toMatch(
      /^2 mensajes mostrados de unos 2 en la DLQ; enviados del \d{4}-\d\d-\d\d \d\d:\d\d al \d{4}-\d\d-\d\d \d\d:\d\d \(hora de Perú\)$/m,
    );
  });

  it("says when the DLQ is empty", async () => {
    const result = await cpe(["dlq", "peek", "--local-env", envFile]);
    expect(result).toMatchObject({ code: 0, stdout: "La cola de errores (DLQ) está vacía.\n" });
  });
});

describe("cpe dlq replay", () => {
  it("keeps body, message attributes and group, with a new deduplication id, and empties the DLQ", async () => {
    await putEvent(sqs, queues.dlqUrl, storeId, 1001, "evt_a");
    const [original] = await peekJson().then((peek) => peek.messages);
    const dlqCopy = (await receiveOnce(sqs, queues.dlqUrl, 0))[0];
    const result = await replay();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`movido ${storeId}/1001 orders.updated.placed (${original?.messageId})`);
    const [replayed, ...others] = await drain(sqs, queues.queueUrl);
    expect(others).toHaveLength(0);
    expect(replayed?.Body).toBe(dlqCopy?.Body);
    expect(replayed?.MessageAttributes).toEqual(dlqCopy?.MessageAttributes);
    expect(replayed?.Attributes?.MessageGroupId).toBe(`${storeId}#1001`);
    expect(replayed?.Attributes?.MessageDeduplicationId).toBe(
      replayDeduplicationId(original?.messageId ?? ""),
    );
    expect(replayed?.Attributes?.MessageDeduplicationId).not.toBe("evt_a");
    expect((await peekJson()).shown).toBe(0);
  });

  it("deletes nothing when the send fails, counts the failures, exits 1, and leaves the DLQ visible", async () => {
    for (const order of [1, 2, 3]) await putEvent(sqs, queues.dlqUrl, storeId, order, `evt_f${order}`);
    const brokenEnv = writeLocalEnv(scratch.dir, {
      ORDER_EVENTS_QUEUE_URL: `${localAwsEnv().AWS_ENDPOINT_URL_SQS}/000000000000/does-not-exist.fifo`,
      ORDER_EVENTS_DLQ_URL: queues.dlqUrl,
    });
    const result = await cpe(["dlq", "replay", "--local-env", brokenEnv]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^movidos 0, omitidos 0, fallaron 3$/m);
    expect(result.stdout).toMatch(/FALLÓ .*send to the main queue failed: .*QueueDoesNotExist/);
    expect(result.stderr).toMatch(/FALLÓ/);
    expect((await peekJson()).shown).toBe(3); // still there, and visible at once
  });

  it("--order moves only that order's messages; the others are visible again at once", async () => {
    await putEvent(sqs, queues.dlqUrl, storeId, 7, "evt_7a");
    await putEvent(sqs, queues.dlqUrl, storeId, 8, "evt_8");
    await putEvent(sqs, queues.dlqUrl, storeId, 7, "evt_7b");
    await putEvent(sqs, queues.dlqUrl, storeId, 9, "evt_9");
    const result = await replay("--order", "7", "--json");
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ moved: 2, skipped: 2, failed: 0, dryRun: false });
    const left = await peekJson();
    expect(left.messages.map((m) => m.orderId).sort()).toEqual(["8", "9"]);
    const moved = await drain(sqs, queues.queueUrl);
    expect(moved.map((m) => JSON.parse(m.Body ?? "{}").webhook_id)).toEqual(["evt_7a", "evt_7b"]); // FIFO order kept
  });

  it("an old whole-envelope message is shown by store/order/type and replayed as its reference", async () => {
    // What an earlier version put on the queue: the whole order, a string id, no message attributes.
    const legacyBody = JSON.stringify({
      id: "evt_legacy",
      type: "orders.updated.placed",
      created: "2026-11-21T10:00:00-05:00",
      store_id: storeId,
      data: { object: { id: "0123", billing_details: { email: "cliente@correo.pe" } } },
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.dlqUrl,
        MessageBody: legacyBody,
        MessageGroupId: `${storeId}#0123`,
        MessageDeduplicationId: "evt_legacy",
      }),
    );
    const peek = await peekJson();
    expect(peek.messages).toEqual([
      expect.objectContaining({
        storeId: String(storeId),
        orderId: "123",
        eventType: "orders.updated.placed",
      }),
    ]);
    const table = await cpe(["dlq", "peek", "--local-env", envFile]);
    expect(table.stdout).toMatch(new RegExp(`^${storeId} +123 +orders\\.updated\\.placed `, "m"));

    expect((await replay()).code).toBe(0);
    const [replayed] = await drain(sqs, queues.queueUrl);
    expect(replayed?.Attributes?.MessageGroupId).toBe(`${storeId}#123`);
    expect(JSON.parse(replayed?.Body ?? "{}")).toEqual({
      version: 2,
      type: "orders.updated.placed",
      store_id: storeId,
      order_id: 123,
      webhook_id: "evt_legacy",
      event_time: "2026-11-21T15:00:00.000Z",
    });
    expect(replayed?.Body).not.toContain("cliente@correo.pe");
  });

  it("--dry-run lists what would move and moves nothing", async () => {
    await putEvent(sqs, queues.dlqUrl, storeId, 11, "evt_11");
    await putEvent(sqs, queues.dlqUrl, storeId, 12, "evt_12");
    const result = await replay("--dry-run");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^se movería ${storeId}/11 `, "m"));
    expect(result.stdout).toMatch(new RegExp(`^se movería ${storeId}/12 `, "m"));
    expect(result.stdout).toMatch(/^simulación: 2 se moverían, 0 omitidos, 0 fallaron; no se movió nada$/m);
    expect(await drain(sqs, queues.queueUrl)).toHaveLength(0);
    expect((await peekJson()).shown).toBe(2);
  });

  it("--max moves at most N", async () => {
    for (const order of [21, 22, 23]) await putEvent(sqs, queues.dlqUrl, storeId, order, `evt_${order}`);
    const result = await replay("--max", "2");
    expect(result.stdout).toMatch(/^movidos 2, omitidos 0, fallaron 0$/m);
    expect((await peekJson()).shown).toBe(1);
    expect(await drain(sqs, queues.queueUrl)).toHaveLength(2);
  });

  it("--rate N sends at most N messages per second", async () => {
    for (let order = 31; order <= 36; order++)
      await putEvent(sqs, queues.dlqUrl, storeId, order, `evt_${order}`);
    const result = await replay("--rate", "5");
    expect(result.stdout).toMatch(/^movidos 6, omitidos 0, fallaron 0$/m);
    // Measured on the main queue's SentTimestamps (the run's own time includes a final 1 s empty poll):
    // 6 sends at least 200 ms apart span 1 s (unlimited, they span a few ms).
    const sentAt = (await drain(sqs, queues.queueUrl)).map((m) => Number(m.Attributes?.SentTimestamp));
    expect(sentAt).toHaveLength(6);
    expect(Math.max(...sentAt) - Math.min(...sentAt)).toBeGreaterThanOrEqual(900); // a little slack for request latency
    expect(result.stderr).toMatch(/cpe dlq replay: \d+ movidos, 0 omitidos, 0 fallaron \(último: /);
  });

  it("a message sent before a crash (not deleted) is not queued twice when replayed again", async () => {
    await putEvent(sqs, queues.dlqUrl, storeId, 41, "evt_41");
    // The crash: the copy went out, the DLQ message stayed.
    const [dlqMessage] = await receiveOnce(sqs, queues.dlqUrl, 0);
    if (!dlqMessage) throw new Error("the DLQ message is missing");
    await sqs.send(new SendMessageCommand(buildReplaySendInput(dlqMessage, queues.queueUrl)));
    const result = await replay();
    expect(result.stdout).toMatch(/^movidos 1, omitidos 0, fallaron 0$/m);
    expect(await drain(sqs, queues.queueUrl)).toHaveLength(1); // deduplicated by the derived id
    expect((await peekJson()).shown).toBe(0);
  });

  it("--native is refused locally, explaining why", async () => {
    const result = await replay("--native");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--native necesita --aws/);
  });
});
