import { OptionError, parseId } from "../../ops/args";
import {
  aceleralaReconcileSources,
  DEFAULT_GRACE_MINUTES,
  formatReconcileReport,
  isClean,
  reconcile,
} from "../../ops/reconcile";
import {
  type CliCommand,
  EXIT_ERROR,
  EXIT_OK,
  EXIT_RULE_BROKEN,
  parseCommandArgs,
  parseDateOption,
} from "../command";
import type { CliIo } from "../io";
import {
  createTargetReceiptStore,
  operateOnTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  targetAcelerala,
  targetEnqueue,
} from "../target";

const USAGE = `Usage: cpe reconcile --store ID --since DATE [--fix] [--grace-minutes N] [--json] [--aws | --local-env FILE]

Compares Acelérala with DynamoDB for the store's orders placed (and receipts created) since DATE, because
webhooks can be missed:
  - paid orders without a receipt          (--fix enqueues them for the worker, event id rc_<store>_<order>_<hour>)
  - paid orders with a receipt issued outside this system (never enqueued: that would duplicate it)
  - orders that need attention             (fix the order, then cpe resend)
  - receipts without an order              (no order, no record here, or a second receipt for one order)
  - amounts that differ                    (the receipt's gross total is not the order's total)
  - credit notes owed                      (orders cancelled or refunded since DATE whose accepted receipt the
                                            notes do not cover; --fix enqueues them for the worker)

  --store ID           the store (required)
  --since DATE         2026-11-21 (midnight in Peru) or a date-time with offset (required)
  --fix                enqueue the paid orders without a receipt and the orders owing a credit note
  --grace-minutes N    leave out orders placed in the last N minutes, still on their way (default ${DEFAULT_GRACE_MINUTES}; 0 for none)
  --json               the report as JSON
${TARGET_USAGE}
                       With --aws, ACELERALA_API_URL and ACELERALA_CREDENTIALS_ARN come from the environment.

On AWS the same check runs every hour (the Reconciler function) with --fix. Exit codes: 0 nothing to act on
(or, with --fix, every missing order enqueued and nothing else found); 2 findings a person must look at;
1 usage error, unreachable target, API error or an enqueue that failed.`;

const COMMAND = { name: "cpe reconcile", usage: USAGE };

interface ReconcileValues {
  store?: string;
  since?: string;
  fix?: boolean;
  "grace-minutes"?: string;
  json?: boolean;
}

export interface ReconcileRequest {
  storeId: number;
  since: Date;
  fix: boolean;
  graceMinutes: number;
  json: boolean;
}

export function parseReconcileOptions(values: ReconcileValues): ReconcileRequest {
  if (values.store === undefined) throw new OptionError("--store ID is required");
  if (values.since === undefined) throw new OptionError("--since DATE is required");
  const grace = values["grace-minutes"];
  if (grace !== undefined && !/^\d+$/.test(grace.trim()))
    throw new OptionError(`--grace-minutes must be a whole number of minutes (0 or more); got "${grace}"`);
  return {
    storeId: parseId("--store", values.store),
    since: parseDateOption("--since", values.since),
    fix: values.fix ?? false,
    graceMinutes: grace === undefined ? DEFAULT_GRACE_MINUTES : Number(grace.trim()),
    json: values.json ?? false,
  };
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: {
      store: { type: "string" },
      since: { type: "string" },
      fix: { type: "boolean" },
      "grace-minutes": { type: "string" },
      json: { type: "boolean" },
      ...TARGET_OPTIONS,
    },
    validate: ({ values }) => parseReconcileOptions(values),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: request } = parsed;
  return operateOnTarget(COMMAND, io, async (resolveTarget) => {
    const target = await resolveTarget(values, { needsQueues: request.fix, needsAcelerala: true });
    const api = await targetAcelerala(target)(request.storeId);
    const receipts = createTargetReceiptStore(target);
    const queue = request.fix ? targetEnqueue(target) : undefined;
    try {
      const report = await reconcile(
        {
          storeId: request.storeId,
          since: request.since,
          graceMinutes: request.graceMinutes,
          fix: request.fix,
        },
        {
          ...aceleralaReconcileSources(api),
          getRecord: (key) => receipts.store.get(key),
          notesOf: (key) => receipts.store.notesOf(key),
          enqueue: queue?.enqueue ?? (async () => {}),
          now: () => new Date(),
        },
      );
      io.stdout(request.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReconcileReport(report)}\n`);
      if (report.enqueueFailures.length > 0) return EXIT_ERROR;
      // With --fix the missing orders (and the credit notes owed) are dealt with; everything else needs a person.
      const open = request.fix
        ? {
            ...report,
            missing: [],
            creditNotesOwed: report.creditNotesOwed.filter((o) => o.waitsForAttention),
          }
        : report;
      return isClean(open) ? EXIT_OK : EXIT_RULE_BROKEN;
    } finally {
      receipts.destroy();
      queue?.destroy();
    }
  });
}

export const reconcileCommand: CliCommand = {
  name: "reconcile",
  summary: "find paid orders without a receipt, receipts without an order and amounts that differ (--fix)",
  usage: USAGE,
  run,
};
