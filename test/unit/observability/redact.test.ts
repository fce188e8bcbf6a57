import { describe, expect, it } from "vitest";
import {
  maskDocumentNumber,
  maskEmail,
  REDACTED,
  redact,
  redactingReplacer,
  scrubText,
} from "../../../lib/observability/redact";

describe("maskDocumentNumber", () => {
  it("keeps 4 + 2 digits of a RUC", () => {
    expect(maskDocumentNumber("20601373034")).toBe("2060*****34");
  });
  it("keeps 2 + 2 digits of a DNI", () => {
    expect(maskDocumentNumber("48765432")).toBe("48****32");
  });
  it("masks short values entirely but keeps their length", () => {
    expect(maskDocumentNumber("12345")).toBe("*****");
    expect(maskDocumentNumber("")).toBe("");
  });
});

describe("maskEmail", () => {
  it("keeps the first letter and the domain", () => {
    expect(maskEmail("manuel@x.com")).toBe("m***@x.com");
  });
  it("masks anything that is not an address", () => {
    expect(maskEmail("not-an-email")).toBe("***");
    expect(maskEmail("@x.com")).toBe("***");
  });
});

describe("scrubText", () => {
  it("removes bearer and basic credentials, webhook secrets and addresses from free text", () => {
    const text =
      "Authorization: Bearer eyJhbGciOi.abc-123 then Basic ZGVtbzpzZWNyZXQ= key whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw mail manuel@testmail.com";
    const scrubbed = scrubText(text);
    expect(scrubbed).not.toContain("eyJhbGciOi");
    expect(scrubbed).not.toContain("ZGVtbzpzZWNyZXQ=");
    expect(scrubbed).not.toContain("MfKQ9r8GKYqr");
    expect(scrubbed).not.toContain("manuel@testmail.com");
    expect(scrubbed).toContain("m***@testmail.com");
    expect(scrubbed).toContain(`Bearer ${REDACTED}`);
  });
});

describe("redact", () => {
  it("redacts secrets and masks personal data at any depth, whatever the key's spelling", () => {
    const order = {
      id: 32203,
      headers: { Authorization: "Bearer value-of-bearer", "webhook-signature": "v1,xyz" },
      access_token: "value-of-access-token",
      credentials: { client_id: "demo-client", client_secret: "demo-secret" },
      billing_details: {
        email: "manuelcornejo@testmail.com",
        document_number: "48765432",
        first_name: "Manuel",
      },
      customer_information: { documentNumber: 20601373034 },
      secrets: ["whsec_a", "whsec_b"],
    };
    const safe = JSON.stringify(redact(order));
    for (const leaked of [
      "value-of-bearer",
      "value-of-access-token",
      "demo-secret",
      "manuelcornejo",
      "48765432",
      "20601373034",
      "whsec_a",
    ]) {
      expect(safe).not.toContain(leaked);
    }
    expect(redact(order)).toMatchObject({
      id: 32203,
      billing_details: { email: "m***@testmail.com", document_number: "48****32", first_name: "Manuel" },
      customer_information: { documentNumber: "2060*****34" },
      credentials: REDACTED,
    });
  });
  it("leaves null secrets as null (absence is not a leak)", () => {
    expect(redactingReplacer("token", null)).toBeNull();
  });
});
