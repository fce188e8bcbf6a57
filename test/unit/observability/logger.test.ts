import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, createMetrics, METRICS_NAMESPACE } from "../../../lib/observability/logger";

describe("createLogger", () => {
  afterEach(() => vi.restoreAllMocks());

  it("never writes a token, a secret, an e-mail or a full document number", () => {
    const lines: string[] = [];
    // Powertools writes JSON lines through its own console bound to stdout.
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const logger = createLogger("unit-test");
    logger.info("calling with Bearer secret-token-value", {
      authorization: "Bearer secret-token-value",
      order: { billing_details: { email: "manuel@x.com", document_number: "20601373034" } },
    });
    const output = lines.join("");
    expect(output).toContain('"service":"unit-test"');
    expect(output).not.toContain("secret-token-value");
    expect(output).not.toContain("manuel@x.com");
    expect(output).not.toContain("20601373034");
    expect(output).toContain("2060*****34");
  });

  it("metrics share one namespace", () => {
    const metrics = createMetrics("unit-test");
    expect(METRICS_NAMESPACE).toBe("AceleralaSunat");
    expect(metrics).toBeDefined();
  });
});
