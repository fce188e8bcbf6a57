import { z } from "zod";
import { deriveRandom, type Random } from "./random";

/**
 * SUNAT's asynchronous answer to a receipt. The outcome is decided when the receipt is created (so the seeded
 * sequence does not depend on timer order) and applied after `delayMs` (0 = in the same request).
 * Outcomes: accepted (code "0"), observations (accepted with a code ≥ 4000), rejected (a 2000–3999 code; the
 * number is burnt), exception (a 0100–1999 code: the request failed, nothing is burnt; the simulator's Acelérala
 * sends it again and SUNAT accepts it after another delay), no_answer (SUNAT never answers: the receipt stays
 * unacknowledged, for stale-CDR tests).
 * Forced outcomes are keyed by order id (as a string) and win over the rates; a key `ORDER:TYPE` (e.g. "501:07")
 * applies to that order's documents of one type only and wins over the plain order key, so a test can have the
 * sale receipt accepted and its credit note rejected.
 */

const OutcomeNameSchema = z.enum(["accepted", "observations", "rejected", "exception", "no_answer"]);
export type OutcomeName = z.infer<typeof OutcomeNameSchema>;
const ForcedOutcomeSchema = z.union([
  OutcomeNameSchema,
  z.object({
    outcome: OutcomeNameSchema,
    code: z
      .string()
      .regex(/^\d{1,4}$/)
      .optional(),
    message: z.string().optional(),
  }),
]);

export const SunatPolicySchema = z.object({
  delayMs: z.number().int().min(0).optional(),
  observationRate: z.number().min(0).max(1).optional(),
  rejectRate: z.number().min(0).max(1).optional(),
  exceptionRate: z.number().min(0).max(1).optional(),
  noAnswerRate: z.number().min(0).max(1).optional(),
  forced: z.record(z.string(), ForcedOutcomeSchema).optional(),
});
export type SunatPolicyInput = z.input<typeof SunatPolicySchema>;
export type SunatPolicy = {
  delayMs: number;
  observationRate: number;
  rejectRate: number;
  exceptionRate: number;
  noAnswerRate: number;
  forced: Record<string, z.infer<typeof ForcedOutcomeSchema>>;
};

export const DEFAULT_SUNAT_DELAY_MS = 2000;
export const DEFAULT_REJECTION = {
  code: "2335",
  message: "El documento electrónico ingresado ha sido alterado",
};
export const DEFAULT_EXCEPTION = {
  code: "0100",
  message:
    "El sistema no puede responder su solicitud. Intente nuevamente o comuníquese con su Administrador",
};
export const DEFAULT_OBSERVATION = {
  code: "4287",
  message: "El precio unitario ingresado no coincide con el valor calculado",
};

export type SunatAnswer = {
  outcome: OutcomeName;
  accepted: 0 | 1;
  code: string;
  message: string;
};

const DOCUMENT_NAMES: Record<string, string> = { "01": "Factura", "03": "Boleta", "07": "Nota de Credito" };

export class SunatPolicyEngine {
  private policy: SunatPolicy;
  private random: Random;

  constructor(
    private readonly seed: number,
    private readonly defaultDelayMs: number,
  ) {
    this.policy = this.defaults();
    this.random = deriveRandom(seed, "sunat");
  }

  private defaults(): SunatPolicy {
    return {
      delayMs: this.defaultDelayMs,
      observationRate: 0,
      rejectRate: 0,
      exceptionRate: 0,
      noAnswerRate: 0,
      forced: {},
    };
  }

  get(): SunatPolicy {
    return { ...this.policy, forced: { ...this.policy.forced } };
  }

  /** Merges the given settings into the current policy (`forced` entries are merged too). */
  set(input: SunatPolicyInput): SunatPolicy {
    const parsed = SunatPolicySchema.parse(input);
    const { forced, ...rates } = parsed;
    const definedRates = Object.fromEntries(Object.entries(rates).filter(([, value]) => value !== undefined));
    this.policy = { ...this.policy, ...definedRates, forced: { ...this.policy.forced, ...forced } };
    return this.get();
  }

  reset(): void {
    this.policy = this.defaults();
    this.random = deriveRandom(this.seed, "sunat");
  }

  /** SUNAT's plain acceptance of a document (after an exception, when the document is sent again). */
  acceptedAnswer(documentTypeCode: string, documentNumber: string): SunatAnswer {
    const documentName = DOCUMENT_NAMES[documentTypeCode] ?? "Comprobante";
    return {
      outcome: "accepted",
      accepted: 1,
      code: "0",
      message: `La ${documentName} numero ${documentNumber}, ha sido aceptada`,
    };
  }

  decide(orderId: unknown, documentTypeCode: string, documentNumber: string): SunatAnswer | null {
    const forced =
      orderId === null || orderId === undefined
        ? undefined
        : (this.policy.forced[`${String(orderId)}:${documentTypeCode}`] ??
          this.policy.forced[String(orderId)]);
    const draw = this.random();
    let outcome: OutcomeName;
    let code: string | undefined;
    let message: string | undefined;
    if (forced !== undefined) {
      outcome = typeof forced === "string" ? forced : forced.outcome;
      if (typeof forced !== "string") ({ code, message } = forced);
    } else {
      const p = this.policy;
      const thresholds: [number, OutcomeName][] = [
        [p.rejectRate, "rejected"],
        [p.rejectRate + p.observationRate, "observations"],
        [p.rejectRate + p.observationRate + p.noAnswerRate, "no_answer"],
        [p.rejectRate + p.observationRate + p.noAnswerRate + p.exceptionRate, "exception"],
      ];
      outcome = thresholds.find(([limit]) => draw < limit)?.[1] ?? "accepted";
    }
    const documentName = DOCUMENT_NAMES[documentTypeCode] ?? "Comprobante";
    const accepted = `La ${documentName} numero ${documentNumber}, ha sido aceptada`;
    switch (outcome) {
      case "no_answer":
        return null;
      case "exception":
        return {
          outcome,
          accepted: 0,
          code: code ?? DEFAULT_EXCEPTION.code,
          message: message ?? DEFAULT_EXCEPTION.message,
        };
      case "accepted":
        return { outcome, accepted: 1, code: code ?? "0", message: message ?? accepted };
      case "observations": {
        const observationCode = code ?? DEFAULT_OBSERVATION.code;
        const observation = message ?? DEFAULT_OBSERVATION.message;
        return {
          outcome,
          accepted: 1,
          code: observationCode,
          message: `${accepted} con observaciones: ${observationCode} - ${observation}`,
        };
      }
      case "rejected": {
        const rejectionCode = code ?? DEFAULT_REJECTION.code;
        const reason = message ?? DEFAULT_REJECTION.message;
        return {
          outcome,
          accepted: 0,
          code: rejectionCode,
          message: `La ${documentName} numero ${documentNumber}, ha sido rechazada: ${rejectionCode} - ${reason}`,
        };
      }
    }
  }
}
