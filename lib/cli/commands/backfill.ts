import { parseArgs } from "node:util";
import type { AceleralaClient } from "../../acelerala/client";
import { OptionError, parseId, parseSince } from "../../ops/args";
import {
  type BackfillSummary,
  type Enqueue,
  formatBackfillSummary,
  progressBar,
  runBackfill,
} from "../../ops/backfill";
import { peruDateTime } from "../../ops/text";
import { enqueueOrderEvent } from "../../queue/order-events";
import { type CliCommand, EXIT_ERROR, EXIT_OK } from "../command";
import type { CliIo } from "../io";
import {
  createTargetReceiptStore,
  createTargetSqsClient,
  resolveTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type Target,
} from "../target";
import { reportOperatorFailure, resolveAceleralaAccess } from "./webhooks";

const USAGE = `Usage: cpe backfill --store ID --placed-from DATE [--placed-to DATE] [--dry-run] [--json] [--aws | --local-env FILE]

The bulk flow: lists the store's paid orders placed in the range (GET /v1/orders, sorted by placed), leaves out
those that already have their receipt (a SUBMITTED, ACCEPTED, REJECTED or STALE record) or need a person
(NEEDS_ATTENTION: fix the order, then cpe resend), and enqueues the rest on the order-events queue, in the
receiver's envelope: the worker issues them exactly as it would after a webhook, under the same guard.

  --store ID           the store (required)
  --placed-from DATE   from this date (2026-11-21 = midnight in Peru) or date-time with offset (required)
  --placed-to DATE     up to this date, inclusive for a plain date (the whole day in Peru); exclusive for a
                       date-time; default: no end
  --dry-run            list and count; enqueue nothing
  --json               the summary as JSON on stdout
${TARGET_USAGE}
                       With --aws, ACELERALA_API_URL and ACELERALA_CREDENTIALS_ARN come from the environment.

Each order's event id is bf_<store>_<order>_<UTC day>: running the same backfill twice within 5 minutes
enqueues each order once (SQS deduplication); later the worker's guard ignores orders already issued.
Progress goes to stderr; the summary to stdout. Exit codes: 0 done; 1 usage error, unreachable target, API
error, or any order that could not be enqueued.`;

const NAME = "cpe backfill";
const DAY_MS = 24 * 60 * 60 * 1000;

interface BackfillValues {
  store?: string;
  "placed-from"?: string;
  "placed-to"?: string;
  "dry-run"?: boolean;
  json?: boolean;
  aws?: boolean;
  "local-env"?: string;
  help?: boolean;
}

export interface BackfillRequest {
  storeId: number;
  placedFrom: Date;
  placedTo?: Date;
  dryRun: boolean;
  json: boolean;
}

/** parseSince's rules under another option's name. */
export function parseDateOption(option: string, value: string): Date {
  try {
    return parseSince(value);
  } catch (error) {
    if (error instanceof OptionError) throw new OptionError(error.message.replace(/^--since/, option));
    throw error;
  }
}

/** Validates the options of `cpe backfill`; throws OptionError naming the option and the rule. */
export function parseBackfillOptions(values: BackfillValues): BackfillRequest {
  if (values.store === undefined) throw new OptionError("--store ID is required");
  if (values["placed-from"] === undefined) throw new OptionError("--placed-from DATE is required");
  const request: BackfillRequest = {
    storeId: parseId("--store", values.store),
    placedFrom: parseDateOption("--placed-from", values["placed-from"]),
    dryRun: values["dry-run"] ?? false,
    json: values.json ?? false,
  };
  const to = values["placed-to"];
  if (to !== undefined) {
    const start = parseDateOption("--placed-to", to);
    // A plain date names a whole day in Peru: the range ends where the next day starts.
    request.placedTo = /^\s*\d{4}-\d{2}-\d{2}\s*$/.test(to) ? new Date(start.getTime() + DAY_MS) : start;
    if (request.placedTo.getTime() <= request.placedFrom.getTime())
      throw new OptionError(`--placed-to (${to}) must be after --placed-from (${values["placed-from"]})`);
  }
  return request;
}

/** Sends with the receiver's function, so the message is exactly what a webhook would have produced. */
export function targetEnqueue(target: Target): { enqueue: Enqueue; destroy(): void } {
  const sqs = createTargetSqsClient(target);
  const queueUrl = target.queueUrl ?? "";
  return {
    enqueue: async (envelope, eventId) => {
      await enqueueOrderEvent(sqs, queueUrl, envelope, eventId);
    },
    destroy: () => sqs.destroy(),
  };
}

async function execute(request: BackfillRequest, target: Target, api: AceleralaClient, io: CliIo) {
  const receipts = createTargetReceiptStore(target);
  const queue = targetEnqueue(target);
  let lastProgressAt = 0;
  try {
    const summary: BackfillSummary = await runBackfill(
      {
        storeId: request.storeId,
        placedFrom: request.placedFrom,
        placedTo: request.placedTo,
        dryRun: request.dryRun,
        onProgress: ({ counts, fraction, lastPlaced }) => {
          const now = Date.now();
          if (now - lastProgressAt < 1000 && fraction < 1) return;
          lastProgressAt = now;
          const at = lastPlaced ? ` up to ${peruDateTime(lastPlaced)}` : "";
          io.stderr(
            `${progressBar(fraction)} ${counts.found} found${at}: ${counts.alreadyIssued} already issued, ` +
              `${counts.enqueued} ${request.dryRun ? "to enqueue" : "enqueued"}, ${counts.skipped} skipped` +
              `${counts.failed ? `, ${counts.failed} failed` : ""}\n`,
          );
        },
      },
      {
        listOrders: (params) => api.iterateOrders(params),
        getRecord: (key) => receipts.store.get(key),
        enqueue: queue.enqueue,
        now: () => new Date(),
      },
    );
    io.stdout(request.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatBackfillSummary(summary)}\n`);
    return summary.failed > 0 ? EXIT_ERROR : EXIT_OK;
  } finally {
    receipts.destroy();
    queue.destroy();
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let values: BackfillValues;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        store: { type: "string" },
        "placed-from": { type: "string" },
        "placed-to": { type: "string" },
        "dry-run": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        ...TARGET_OPTIONS,
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    io.stderr(`${NAME}: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  let request: BackfillRequest;
  try {
    request = parseBackfillOptions(values);
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    io.stderr(`${NAME}: ${error.message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  let target: Target | undefined;
  try {
    target = await resolveTarget(values, io, { needsQueues: true });
    const api = await (await resolveAceleralaAccess(values, io))(request.storeId);
    return await execute(request, target, api, io);
  } catch (error) {
    return reportOperatorFailure(NAME, error, io, target);
  }
}

export const backfillCommand: CliCommand = {
  name: "backfill",
  summary: "enqueue a store's paid orders of a date range that have no receipt yet (the bulk flow)",
  usage: USAGE,
  run,
};
