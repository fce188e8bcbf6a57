import { OptionError, parseOrderId, parsePositiveInteger, parsePositiveRate } from "../../ops/args";
import {
  joinReceiptRecords,
  peekDlq,
  type ReplayCounts,
  type ReplayOutcome,
  replayDlq,
  startNativeReplay,
} from "../../ops/dlq";
import { type DlqEntry, formatDlqTable, sentRange } from "../../ops/dlq-message";
import { peruDateTime, safeText } from "../../ops/text";
import { type CliCommand, EXIT_CODES_USAGE, EXIT_FAILURE, EXIT_OK, parseCommandArgs } from "../command";
import type { CliIo } from "../io";
import {
  createTargetReceiptStore,
  createTargetSqsClient,
  operateOnTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type Target,
} from "../target";

const USAGE = `Uso: cpe dlq peek [--max N] [--json] [--aws | --local-env FILE]
     cpe dlq replay [--max N] [--order ID] [--dry-run] [--rate N] [--json] [--aws [--native] | --local-env FILE]

peek     lo que hay en la cola de errores (DLQ) de los eventos de pedidos, sin consumirlo: pedido, tienda, evento,
         recepciones, cuándo se envió y se recibió por primera vez, y el comprobante del pedido y su último error
         (de DynamoDB; también de pedidos sin registro): por qué falló. Los mensajes se retienen como mucho 30 s
         y vuelven a verse al instante; cada vistazo suma una recepción. Un evento posterior de un pedido se ve
         cuando se reenvía el anterior (FIFO).
replay   devuelve los mensajes a la cola principal (mismo cuerpo, atributos y grupo; un id de deduplicación nuevo
         derivado del id del mensaje) y borra cada uno de la DLQ solo después de enviarlo. Un reenvío nunca da a un
         pedido un segundo comprobante: la guarda del worker en DynamoDB lo impide. Simule primero (--dry-run).

  --max N          peek: como máximo N mensajes (por defecto 10); replay: como máximo N (por defecto todos)
  --order ID       replay solo de los mensajes de ese pedido (32204 o #32204); los demás quedan visibles al instante
  --dry-run        lista lo que se movería; no mueve nada
  --rate N         como máximo N mensajes por segundo (p. ej. 5, o 0.5 para uno cada dos segundos)
  --native         con --aws: el redrive propio de SQS (StartMessageMoveTask) de toda la DLQ; imprime el
                   identificador de la tarea (sígala en la consola de SQS o con \`aws sqs list-message-move-tasks\`)
  --json           salida en JSON por stdout (claves en inglés)
${TARGET_USAGE}

El progreso va a stderr; la tabla o el resumen, a stdout. ${EXIT_CODES_USAGE} El 1 incluye (replay)
cualquier mensaje que no se pudo mover.`;

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
      action === undefined
        ? "indique peek o replay"
        : `acción desconocida "${action}": indique peek o replay`,
    );
  if (extra.length > 0) throw new OptionError(`argumento inesperado "${extra[0]}"`);
  const json = values.json ?? false;
  if (action === "peek") {
    for (const option of ["order", "dry-run", "rate", "native"] as const)
      if (values[option] !== undefined)
        throw new OptionError(`--${option} es una opción de replay, no de peek`);
    return { action, max: values.max === undefined ? 10 : parsePositiveInteger("--max", values.max), json };
  }
  const parsed: DlqAction = {
    action,
    dryRun: values["dry-run"] ?? false,
    native: values.native ?? false,
    json,
  };
  if (values.max !== undefined) parsed.max = parsePositiveInteger("--max", values.max);
  if (values.order !== undefined) parsed.orderId = String(parseOrderId("--order", values.order));
  if (values.rate !== undefined) parsed.ratePerSecond = parsePositiveRate("--rate", values.rate);
  if (parsed.native) {
    if (!values.aws)
      throw new OptionError(
        "--native necesita --aws: es el redrive propio de SQS, que el emulador local no ejecuta",
      );
    if (parsed.orderId !== undefined)
      throw new OptionError("--native no admite --order: la tarea de SQS mueve toda la DLQ, no tiene filtro");
    if (parsed.dryRun)
      throw new OptionError(
        "--native no admite --dry-run: la tarea de SQS empieza a mover al instante, no tiene simulación",
      );
    if (parsed.max !== undefined)
      throw new OptionError("--native no admite --max: la tarea de SQS mueve todos los mensajes de la DLQ");
  }
  return parsed;
}

function entryLabel(entry: DlqEntry): string {
  return `${entry.storeId ?? "?"}/${entry.orderId ?? "?"} ${entry.eventType ?? "?"} (${entry.messageId})`;
}

/** A DLQ message as JSON: every key present (null for no value), free text scrubbed. */
function entryJson(entry: DlqEntry) {
  return {
    messageId: entry.messageId,
    storeId: entry.storeId ?? null,
    orderId: entry.orderId ?? null,
    eventType: entry.eventType ?? null,
    webhookId: entry.webhookId ?? null,
    groupId: entry.groupId ?? null,
    receiveCount: entry.receiveCount ?? null,
    sentAt: entry.sentAt ?? null,
    firstReceivedAt: entry.firstReceivedAt ?? null,
    receiptState: entry.receiptState ?? null,
    lastError: entry.lastError === undefined ? null : safeText(entry.lastError),
  };
}

async function peek(target: Target, max: number, json: boolean, io: CliIo): Promise<number> {
  const sqs = createTargetSqsClient(target);
  const receipts = createTargetReceiptStore(target);
  try {
    const dlqUrl = target.dlqUrl ?? "";
    const result = await peekDlq(sqs, dlqUrl, { max });
    const joined = await joinReceiptRecords(result.entries, (key) => receipts.store.summary(key));
    if (joined.lookupError)
      io.stderr(`${NAME} peek: no se pudieron leer los registros de comprobantes: ${joined.lookupError}\n`);
    if (result.notReleased > 0)
      io.stderr(
        `${NAME} peek: ${result.notReleased} mensajes siguen invisibles hasta que venza su retención de 30 s\n`,
      );
    const { first, last } = sentRange(joined.entries);
    if (json) {
      const output = {
        dlqUrl,
        approximateVisible: result.depth.visible ?? null,
        approximateInFlight: result.depth.inFlight ?? null,
        shown: joined.entries.length,
        firstSentAt: first ?? null,
        lastSentAt: last ?? null,
        messages: joined.entries.map(entryJson),
      };
      io.stdout(`${JSON.stringify(output, null, 2)}\n`);
      return EXIT_OK;
    }
    if (joined.entries.length === 0) {
      io.stdout("La cola de errores (DLQ) está vacía.\n");
      return EXIT_OK;
    }
    io.stdout(`${formatDlqTable(joined.entries)}\n`);
    const depth =
      result.depth.visible === undefined
        ? ""
        : ` de unos ${result.depth.visible + (result.depth.inFlight ?? 0)} en la DLQ`;
    io.stdout(
      `\n${joined.entries.length} mensajes mostrados${depth}; enviados del ${peruDateTime(first)} al ${peruDateTime(last)} (hora de Perú)\n`,
    );
    return EXIT_OK;
  } finally {
    sqs.destroy();
    receipts.destroy();
  }
}

function describeOutcome(outcome: ReplayOutcome): string {
  const verb = { moved: "movido", "would-move": "se movería", skipped: "omitido", failed: "FALLÓ" }[
    outcome.kind
  ];
  return `${verb} ${entryLabel(outcome.entry)}${outcome.error ? `: ${safeText(outcome.error)}` : ""}`;
}

function progressLine(counts: ReplayCounts, dryRun: boolean): string {
  const first = dryRun ? `${counts.wouldMove} se moverían` : `${counts.moved} movidos`;
  return `${NAME} replay: ${first}, ${counts.skipped} omitidos, ${counts.failed} fallaron`;
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
          `Tarea de movimiento de SQS iniciada de ${task.sourceArn} a ${task.destinationArn}\nIdentificador: ${task.taskHandle}\n`,
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
          io.stderr(`${progressLine(counts, options.dryRun)} (último: ${entryLabel(last.entry)})\n`);
        }
      },
    });
    if (result.notReleased > 0)
      io.stderr(
        `${NAME} replay: ${result.notReleased} mensajes siguen invisibles hasta que venza su retención (5 min)\n`,
      );
    if (options.json) {
      const { outcomes, ...counts } = result;
      const output = {
        dryRun: options.dryRun,
        ...counts,
        messages: outcomes.map((outcome) => ({
          kind: outcome.kind,
          newMessageId: outcome.newMessageId ?? null,
          error: outcome.error === undefined ? null : safeText(outcome.error),
          entry: entryJson(outcome.entry),
        })),
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
        ? `simulación: ${result.wouldMove} se moverían, ${result.skipped} omitidos, ${result.failed} fallaron; no se movió nada`
        : `movidos ${result.moved}, omitidos ${result.skipped}, fallaron ${result.failed}`;
      io.stdout(`${summary}\n`);
    }
    return result.failed > 0 ? EXIT_FAILURE : EXIT_OK;
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
  summary:
    "la cola de errores (DLQ): qué hay y por qué (peek), o devolverlo a la cola (replay, simule primero)",
  usage: USAGE,
  run,
};
