import { OptionError } from "../../ops/args";
import { formatWebhookList, registerWebhook, WebhookUrlError } from "../../ops/webhooks";
import { SUBSCRIBED_EVENTS } from "../../webhook/envelope";
import { type CliCommand, EXIT_CODES_USAGE, EXIT_OK, parseCommandArgs } from "../command";
import type { CliIo } from "../io";
import { storeIdOption } from "../store-file";
import {
  operateOnTarget,
  resolveAceleralaAccess,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type TargetFlags,
} from "../target";

const USAGE = `Uso: cpe webhooks register --url URL [--store ID] [--json] [--aws | --local-env FILE]
     cpe webhooks list [--store ID] [--json] [--aws | --local-env FILE]

register  suscribe URL (la Function URL del receptor, salida ReceiverUrl de la pila) a
          ${SUBSCRIBED_EVENTS.join(", ")}
          con POST /v1/webhooks: solo los eventos que faltan en las suscripciones activas de la URL, en una
          suscripción nueva; nada si ya están todos.
list      las suscripciones de la tienda, señalando los eventos que el producto necesita y a su URL le faltan.

  --url URL            URL https (http solo para 127.0.0.1/localhost, la pila local): …/webhooks/acelerala del
                       receptor, o …/webhooks/acelerala/{storeId} solo para esta tienda (el receptor toma la
                       tienda de esa ruta cuando el cuerpo no la nombra)
  --store ID           la tienda cuyas credenciales se usan; por defecto la primera del archivo de tiendas
  --json               salida en JSON (claves en inglés)
${TARGET_USAGE}
                       Con --aws, ACELERALA_API_URL y ACELERALA_CREDENTIALS_ARN vienen del entorno.

${EXIT_CODES_USAGE}`;

const COMMAND = { name: "cpe webhooks", usage: USAGE };

type WebhooksAction = "register" | "list";

/** Validates the action and its options; throws OptionError naming the rule. */
function parseWebhooksAction(
  positionals: readonly string[],
  values: TargetFlags & { url?: string },
): WebhooksAction {
  const [action, ...extra] = positionals;
  if (action !== "register" && action !== "list")
    throw new OptionError(
      action === undefined
        ? "indique register o list"
        : `acción desconocida "${action}": indique register o list`,
    );
  if (extra.length > 0) throw new OptionError(`argumento inesperado "${extra[0]}"`);
  if (action === "register" && values.url === undefined) throw new OptionError("register necesita --url URL");
  if (action === "list" && values.url !== undefined) throw new OptionError("--url es una opción de register");
  if (values.aws && values["local-env"] !== undefined)
    throw new OptionError("--aws y --local-env se excluyen: elija AWS o una pila local");
  return action;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: {
      url: { type: "string" },
      store: { type: "string" },
      json: { type: "boolean" },
      ...TARGET_OPTIONS,
    },
    allowPositionals: true,
    validate: ({ values, positionals }) => parseWebhooksAction(positionals, values),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: action } = parsed;
  // Only the Acelérala API: no table, no queues, so no target to resolve.
  return operateOnTarget(COMMAND, io, async () => {
    const storeId = await storeIdOption(values.store, io);
    const api = await (await resolveAceleralaAccess(values, io))(storeId);
    if (action === "register") {
      const result = await registerWebhook(api, values.url ?? "", storeId).catch((error: unknown) => {
        // A URL that cannot be registered is a bad value: a usage error, nothing was done.
        throw error instanceof WebhookUrlError ? new OptionError(error.message) : error;
      });
      if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      else if (result.outcome === "created")
        io.stdout(
          `Webhook ${result.webhook.id} registrado para la tienda ${storeId}: ${result.webhook.url}\n  eventos: ${result.added.join(", ")}\n`,
        );
      else
        io.stdout(
          `Ya registrado: el/los webhook(s) ${result.webhooks.map((w) => w.id).join(", ")} de la tienda ${storeId} envían ${SUBSCRIBED_EVENTS.join(", ")} a ${values.url}; no se creó nada\n`,
        );
      return EXIT_OK;
    }
    const { data } = await api.listWebhooks();
    io.stdout(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${formatWebhookList(data)}\n`);
    return EXIT_OK;
  });
}

export const webhooksCommand: CliCommand = {
  name: "webhooks",
  summary: "suscribe el receptor a los eventos de la tienda (register) o muestra las suscripciones (list)",
  usage: USAGE,
  run,
};
