import { OptionError } from "../../ops/args";
import { formatWebhookList, registerWebhook, WebhookUrlError } from "../../ops/webhooks";
import { SUBSCRIBED_EVENTS } from "../../webhook/envelope";
import { type CliCommand, EXIT_OK, parseCommandArgs } from "../command";
import type { CliIo } from "../io";
import { storeIdOption } from "../store-file";
import {
  operateOnTarget,
  resolveAceleralaAccess,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type TargetFlags,
} from "../target";

const USAGE = `Usage: cpe webhooks register --url URL [--store ID] [--json] [--aws | --local-env FILE]
       cpe webhooks list [--store ID] [--json] [--aws | --local-env FILE]

register  subscribes URL (the receiver's Function URL, output ReceiverUrl of the stack) to
          ${SUBSCRIBED_EVENTS.join(", ")}
          through POST /v1/webhooks: only the events the URL's active subscriptions lack, in one new
          subscription; nothing when they cover every one.
list      the store's webhook subscriptions, flagging the events the product needs and their URL lacks.

  --url URL            https URL (http only for 127.0.0.1/localhost, the local stack): the receiver's
                       …/webhooks/acelerala, or …/webhooks/acelerala/{storeId} for this store only (the
                       receiver takes the store from that path when a payload names none)
  --store ID           the store whose API credentials are used; default: the first store of the stores file
  --json               machine-readable output
${TARGET_USAGE}
                       With --aws, ACELERALA_API_URL and ACELERALA_CREDENTIALS_ARN come from the environment.

Exit codes: 0 done; 1 usage error, API error or unreachable target.`;

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
      action === undefined ? "say register or list" : `unknown action "${action}": say register or list`,
    );
  if (extra.length > 0) throw new OptionError(`unexpected argument "${extra[0]}"`);
  if (action === "register" && values.url === undefined) throw new OptionError("register needs --url URL");
  if (action === "list" && values.url !== undefined) throw new OptionError("--url is an option of register");
  if (values.aws && values["local-env"] !== undefined)
    throw new OptionError("--aws and --local-env exclude each other: choose AWS or a local stack");
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
  return operateOnTarget(
    COMMAND,
    io,
    async () => {
      const storeId = await storeIdOption(values.store, io);
      const api = await (await resolveAceleralaAccess(values, io))(storeId);
      if (action === "register") {
        const result = await registerWebhook(api, values.url ?? "", storeId);
        if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        else if (result.outcome === "created")
          io.stdout(
            `Registered webhook ${result.webhook.id} for store ${storeId}: ${result.webhook.url}\n  events: ${result.added.join(", ")}\n`,
          );
        else
          io.stdout(
            `Already registered: webhook(s) ${result.webhooks.map((w) => w.id).join(", ")} of store ${storeId} send ${SUBSCRIBED_EVENTS.join(", ")} to ${values.url}; nothing created\n`,
          );
        return EXIT_OK;
      }
      const { data } = await api.listWebhooks();
      io.stdout(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${formatWebhookList(data)}\n`);
      return EXIT_OK;
    },
    // Here a bad --store or URL is one line, without the usage.
    (error) => (error instanceof OptionError || error instanceof WebhookUrlError ? error.message : undefined),
  );
}

export const webhooksCommand: CliCommand = {
  name: "webhooks",
  summary: "subscribe the receiver to the store's order events (register) or show the subscriptions (list)",
  usage: USAGE,
  run,
};
