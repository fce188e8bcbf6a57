import type { AceleralaClient } from "../../acelerala/client";
import { OptionError, parseId } from "../../ops/args";
import { type BackfillSummary, formatBackfillSummary, progressBar, runBackfill } from "../../ops/backfill";
import { peruDateTime } from "../../ops/text";
import { type CliCommand, EXIT_ERROR, EXIT_OK, parseCommandArgs, parseDateOption } from "../command";
import type { CliIo } from "../io";
import {
  createTargetReceiptStore,
  operateOnTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type Target,
  targetAcelerala,
  targetEnqueue,
} from "../target";

const USAGE = `Usage: cpe backfill --store ID --placed-from DATE [--placed-to DATE] [--dry-run] [--json] [--aws | --local-env FILE]

The bulk flow: lists the store's paid orders placed in the range (GET /v1/orders, sorted by placed), leaves out
those that already have their receipt (a SUBMITTED, ACCEPTED, REJECTED or STALE record) or need a person
(NEEDS_ATTENTION: fix the order, then cpe resend), and enqueues the rest on the order-events queue, as the
receiver's event reference: the worker issues them exactly as it would after a webhook, under the same guard.

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

const COMMAND = { name: "cpe backfill", usage: USAGE };
const DAY_MS = 24 * 60 * 60 * 1000;

interface BackfillValues {
  store?: string;
  "placed-from"?: string;
  "placed-to"?: string;
  "dry-run"?: boolean;
  json?: boolean;
}

export interface BackfillRequest {
  storeId: number;
  placedFrom: Date;
  placedTo?: Date;
  dryRun: boolean;
  json: boolean;
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
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: {
      store: { type: "string" },
      "placed-from": { type: "string" },
      "placed-to": { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      ...TARGET_OPTIONS,
    },
    validate: ({ values }) => parseBackfillOptions(values),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: request } = parsed;
  return operateOnTarget(COMMAND, io, async (resolveTarget) => {
    const target = await resolveTarget(values, { needsQueues: true, needsAcelerala: true });
    const api = await targetAcelerala(target)(request.storeId);
    return await execute(request, target, api, io);
  });
}

export const backfillCommand: CliCommand = {
  name: "backfill",
  summary: "enqueue a store's paid orders of a date range that have no receipt yet (the bulk flow)",
  usage: USAGE,
  run,
};
