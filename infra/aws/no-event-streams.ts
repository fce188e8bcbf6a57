/**
 * Stands in for `@smithy/core/event-streams` in the Lambda bundles (an esbuild alias, see infra/aws/bundling.ts).
 * The SDK loads it (a dynamic import in @smithy/core's HttpProtocol) only for operations that stream events;
 * none of the operations these functions call (SQS, DynamoDB, Secrets Manager) does. Bundled, it adds ~20 KB and
 * ~6 ms to every cold start. Should a function ever call an event-stream operation, this says so plainly.
 */
function unsupported(): never {
  throw new Error(
    "event-stream operations are not bundled in this function (infra/aws/no-event-streams.ts): remove the alias in infra/aws/bundling.ts",
  );
}

export class EventStreamSerde {
  constructor() {
    unsupported();
  }
}

export const eventStreamSerdeProvider = unsupported;
