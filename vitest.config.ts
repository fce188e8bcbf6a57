import { defineConfig } from "vitest/config";

// Two projects: `unit` is pure logic (no servers); `integration` runs against the real local stack
// (DynamoDB Local, fauxqs, the Acelérala simulator) that test/integration/global-setup.ts starts and stops.
// The global setup runs in this process (test.env below only reaches the test workers).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/integration/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
