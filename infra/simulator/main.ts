import { parseArgs } from "node:util";
import { parseWebhookSecrets } from "../../lib/webhook/signature";
import { startSimulator } from "./server";

/**
 * `npx tsx infra/simulator/main.ts [--port N] [--seed N] [--sunat-delay-ms N]`
 * Prints the URL, then a `ready` line; stops on SIGINT/SIGTERM. Deliveries are signed with the first secret of
 * WEBHOOK_SECRETS (the receiver's variable) when set, otherwise with a generated one that is never printed.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    seed: { type: "string", default: "1" },
    "sunat-delay-ms": { type: "string" },
  },
});

function integer(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a non-negative integer`);
  return Number(text);
}

const [sharedSecret] = parseWebhookSecrets(process.env.WEBHOOK_SECRETS);
const sunatDelay = values["sunat-delay-ms"];
const simulator = await startSimulator({
  port: integer("port", values.port),
  seed: integer("seed", values.seed),
  ...(sunatDelay !== undefined ? { sunatDelayMs: integer("sunat-delay-ms", sunatDelay) } : {}),
  ...(sharedSecret ? { webhookSecret: sharedSecret } : {}),
});
console.log(`Acelérala simulator listening on ${simulator.url}`);
if (!sharedSecret) console.log("WEBHOOK_SECRETS is not set: deliveries are signed with a generated secret");
console.log("ready");

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  await simulator.stop();
  console.log(`stopped (${signal})`);
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
