import { OptionError, parsePositiveInteger, parsePositiveRate } from "../../ops/args";
import {
  joinReceiptRecords,
  peekDlq,
  type ReplayCounts,
  type ReplayOutcome,
  replayDlq,
  startNativeReplay,
} from "../../ops/dlq";
import { type DlqEntry, formatDlqTable, sentRange } from "../../ops/dlq-message";
import { safeText } from "../../ops/text";
import { type CliCommand, EXIT_ERROR, EXIT_OK, parseCommandArgs } from "../command";
import type { CliIo } from "../io";
import {
  createTargetReceiptStore,
  createTargetSqsClient,
  operateOnTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type Target,
} from "../target";

const USAGE = `Usage: cpe dlq peek [--max N] [--json] [--aws | --local-env FILE]
       cpe dlq replay [--max N] [--order ID] [--dry-run] [--rate N] [--json] [--aws [--native] | --local-env FILE]

peek     lists what is in the order-events dead-letter queue without consuming it: order, store, event type,
         receive count, when it was sent and first received, and the receipt's state and last error (from
         DynamoDB). Messages are held for at most 30 s and made visible again at once; each look adds one to
         their receive count. A later event of an order shows up once the earlier one is replayed (FIFO).
replay   moves messages back to the main queue (same body, attributes and group; a new deduplication id
         derived from the DLQ message id), deleting each from the DLQ only after the send succeeded.
         Replays never give an order a second receipt: the worker's DynamoDB guard sees to that.

  --max N          peek: at most N messages (default 10); replay: at most N messages (default: all)
  --order ID       replay only this order's messages; the others are left in the DLQ, visible again at once
  --dry-run        list what would move; move nothing
  --rate N         at most N messages per second (e.g. 5, or 0.5 for one every two seconds)
  --native         with --aws: SQS's own redrive (StartMessageMoveTask) of the whole DLQ; prints the task
                   handle (follow it in the SQS console or with \`aws sqs list-message-move-tasks\`)
  --json           machine-readable output on stdout
${TARGET_USAGE}

Progress goes to stderr; the table or summary to stdout. Exit codes: 0 done; 1 usage error, unreachable
target, or (replay) any message that failed to move.`;

const NAME = "cpe dlq";

interface DlqValues {
  max?: string;
  order?: string;
  "dry-run"?: boolean;
  rate?: string;
  native?: boolean;
  json?: boolean;
  aws?: boolean;
}

export type DlqAction =
  | { action: "peek"; max: number; json: boolean }
  | {
      action: "replay";
      max?: number;
      orderId?: string;
      dryRun: boolean;
      ratePerSecond?: number;
      native: boolean;
      json: boolean;
    };

/** Validates the options of `cpe dlq`; throws OptionError naming the option and the rule. */
export function parseDlqOptions(positionals: readonly string[], values: DlqValues): DlqAction {
  const [action, ...extra] = positionals;
  if (action !== "peek" && action !== "replay")
    throw new OptionError(
      action === undefined ? "say peek or replay" : `unknown action "${action}": say peek or replay`,
    );
  if (extra.length > 0) throw new OptionError(`unexpected argument "${extra[0]}"`);
  const json = values.json ?? false;
  if (action === "peek") {
    for (const option of ["order", "dry-run", "rate", "native"] as const)
      if (values[option] !== undefined)
        throw new OptionError(`--${option} is an option of replay, not of peek`);
    return { action, max: values.max === undefined ? 10 : parsePositiveInteger("--max", values.max), json };
  }
  const parsed: DlqAction = {
    action,
    dryRun: values["dry-run"] ?? false,
    native: values.native ?? false,
    json,
  };
  if (values.max !== undefined) parsed.max = parsePositiveInteger("--max", values.max);
  if (values.order !== undefined) {
    if (!/^\S+$/.test(values.order))
      throw new OptionError(`--order must be an order id; got "${values.order}"`);
    parsed.orderId = values.order;
  }
  if (values.rate !== undefined) parsed.ratePerSecond = parsePositiveRate("--rate", values.rate);
  if (parsed.native) {
    if (!values.aws)
      throw new OptionError(
        "--native needs --aws: it is SQS's own redrive, which the local emulator does not run",
      );
    if (parsed.orderId !== undefined)
      throw new OptionError(
        "--native cannot take --order: SQS's move task moves the whole DLQ, it has no filter",
      );
    if (parsed.dryRun)
      throw new OptionError(
        "--native cannot take --dry-run: SQS's move task starts moving at once, it has no trial run",
      );
    if (parsed.max !== undefined)
      throw new OptionError("--native cannot take --max: SQS's move task moves every message in the DLQ");
  }
  return parsed;
}

function entryLabel(entry: DlqEntry): string {
  return `${entry.storeId ?? "?"}/${entry.orderId ?? "?"} ${entry.eventType ?? "?"} (${entry.messageId})`;
}

function scrubbedEntry(entry: DlqEntry): DlqEntry {
  return entry.lastError === undefined ? entry : { ...entry, lastError: safeText(entry.lastError) };
}

async function peek(target: Target, max: number, json: boolean, io: CliIo): Promise<number> {
  const sqs = createTargetSqsClient(target);
  const receipts = createTargetReceiptStore(target);
  try {
    const dlqUrl = target.dlqUrl ?? "";
    const result = await peekDlq(sqs, dlqUrl, { max });
    const joined = await joinReceiptRecords(result.entries, (key) => receipts.store.summary(key));
    if (joined.lookupError)
      io.stderr(`${NAME} peek: could not read receipt records: ${joined.lookupError}\n`);
    if (result.notReleased > 0)
      io.stderr(
        `${NAME} peek: ${result.notReleased} messages stay invisible until their 30 s hold expires\n`,
      );
    const { first, last } = sentRange(joined.entries);
    if (json) {
      const output = {
        dlqUrl,
        approximateVisible: result.depth.visible,
        approximateInFlight: result.depth.inFlight,
        shown: joined.entries.length,
        firstSentAt: first,
        lastSentAt: last,
        messages: joined.entries.map(scrubbedEntry),
      };
      io.stdout(`${JSON.stringify(output, null, 2)}\n`);
      return EXIT_OK;
    }
    if (joined.entries.length === 0) {
      io.stdout("The DLQ is empty.\n");
      return EXIT_OK;
    }
    io.stdout(`${formatDlqTable(joined.entries)}\n`);
    const depth =
      result.depth.visible === undefined
        ? ""
        : ` of about ${result.depth.visible + (result.depth.inFlight ?? 0)} in the DLQ`;
    io.stdout(
      `\n${joined.entries.length} messages shown${depth}; sent from ${first ?? "?"} to ${last ?? "?"}\n`,
    );
    return EXIT_OK;
  } finally {
    sqs.destroy();
    receipts.destroy();
  }
}

function describeOutcome(outcome: ReplayOutcome): string {
  const verb = { moved: "moved", "would-move": "would move", skipped: "skipped", failed: "FAILED" }[
    outcome.kind
  ];
  return `${verb} ${entryLabel(outcome.entry)}${outcome.error ? `: ${safeText(outcome.error)}` : ""}`;
}

function progressLine(counts: ReplayCounts, dryRun: boolean): string {
  const first = dryRun ? `${counts.wouldMove} would move` : `${counts.moved} moved`;
  return `${NAME} replay: ${first}, ${counts.skipped} skipped, ${counts.failed} failed`;
}

async function replay(target: Target, options: Extract<DlqAction, { action: "replay" }>, io: CliIo) {
  const sqs = createTargetSqsClient(target);
  try {
    const queueUrl = target.queueUrl ?? "";
    const dlqUrl = target.dlqUrl ?? "";
    if (options.native) {
      const task = await startNativeReplay(sqs, { dlqUrl, queueUrl, ratePerSecond: options.ratePerSecond });
      if (options.json) io.stdout(`${JSON.stringify(task, null, 2)}\n`);
      else
        io.stdout(
          `Started SQS message move task from ${task.sourceArn} to ${task.destinationArn}\nTask handle: ${task.taskHandle}\n`,
        );
      return EXIT_OK;
    }
    // Progress on stderr at most once a second (and always for failures), so long runs show life.
    let lastProgressAt = 0;
    const result = await replayDlq(sqs, {
      dlqUrl,
      queueUrl,
      max: options.max,
      orderId: options.orderId,
      dryRun: options.dryRun,
      ratePerSecond: options.ratePerSecond,
      onProgress: (counts, last) => {
        const now = Date.now();
        if (last.kind === "failed") io.stderr(`${NAME} replay: ${describeOutcome(last)}\n`);
        if (now - lastProgressAt >= 1000) {
          lastProgressAt = now;
          io.stderr(`${progressLine(counts, options.dryRun)} (last: ${entryLabel(last.entry)})\n`);
        }
      },
    });
    if (result.notReleased > 0)
      io.stderr(
        `${NAME} replay: ${result.notReleased} messages stay invisible until their hold expires (5 min)\n`,
      );
    if (options.json) {
      const { outcomes, ...counts } = result;
      const output = {
        dryRun: options.dryRun,
        ...counts,
        messages: outcomes.map((outcome) => ({ ...outcome, entry: scrubbedEntry(outcome.entry) })),
      };
      io.stdout(`${JSON.stringify(output, null, 2)}\n`);
    } else {
      const listed = result.outcomes.filter((outcome) =>
        options.dryRun
          ? outcome.kind === "would-move"
          : outcome.kind !== "skipped" || outcome.error !== undefined,
      );
      for (const outcome of listed) io.stdout(`${describeOutcome(outcome)}\n`);
      const summary = options.dryRun
        ? `dry run: ${result.wouldMove} would move, ${result.skipped} skipped, ${result.failed} failed; nothing moved`
        : `moved ${result.moved}, skipped ${result.skipped}, failed ${result.failed}`;
      io.stdout(`${summary}\n`);
    }
    return result.failed > 0 ? EXIT_ERROR : EXIT_OK;
  } finally {
    sqs.destroy();
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    name: NAME,
    usage: USAGE,
    options: {
      max: { type: "string" },
      order: { type: "string" },
      "dry-run": { type: "boolean" },
      rate: { type: "string" },
      native: { type: "boolean" },
      json: { type: "boolean" },
      ...TARGET_OPTIONS,
    },
    allowPositionals: true,
    validate: ({ values, positionals }) => parseDlqOptions(positionals, values),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: action } = parsed;
  return operateOnTarget({ name: `${NAME} ${action.action}`, usage: USAGE }, io, async (resolveTarget) => {
    const target = await resolveTarget(values, { needsQueues: true });
    if (action.action === "peek") return await peek(target, action.max, action.json, io);
    return await replay(target, action, io);
  });
}

export const dlqCommand: CliCommand = {
  name: "dlq",
  summary: "look at (peek) or move back (replay) the order events in the dead-letter queue",
  usage: USAGE,
  run,
};
