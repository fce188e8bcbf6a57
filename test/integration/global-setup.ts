import type { TestProject } from "vitest/node";
import { startLocalAws } from "../../infra/local/local-aws";
import "../support/local-stack"; // The typed `localAwsEnv` key of ProvidedContext.

/**
 * Starts DynamoDB Local and fauxqs once for the integration project, with the receipts table and the
 * order-events queues, and stops them after the last test. Tests read the environment with `localAwsEnv()`
 * (test/support/local-stack.ts); it is also copied into process.env, which the test workers inherit, so
 * adapters under test find the emulators the same way the handlers do.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const localAws = await startLocalAws();
  Object.assign(process.env, localAws.env);
  project.provide("localAwsEnv", localAws.env);
  return () => localAws.stop();
}
