import type * as z from "zod/mini";

/** A rule the input breaks: which field, which rule, and a message the merchant understands (Spanish). */
export interface ReceiptProblem {
  /** Path in the input (`lines[0].price`, `billing_details.document_number`, `total`) or the store (`series`). */
  field: string;
  /** Stable identifier of the rule, for code and dashboards (`invoice_requires_ruc`, `total_mismatch`, …). */
  rule: string;
  message: string;
}

/** Collects every broken rule, so one answer names all of them. */
export class Problems {
  readonly list: ReceiptProblem[] = [];

  add(field: string, rule: string, message: string): void {
    this.list.push({ field, rule, message });
  }

  get any(): boolean {
    return this.list.length > 0;
  }
}

/** `lines.0.price` → `lines[0].price`. */
function fieldPath(path: readonly PropertyKey[], root: string): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? root : out;
}

/** A zod error as problems of rule `schema`, one per issue, each naming its field. */
export function schemaProblems(error: z.core.$ZodError, root = "(pedido)", prefix = ""): ReceiptProblem[] {
  return error.issues.map((issue) => {
    const path = fieldPath(issue.path, root);
    const field = prefix && path !== root ? `${prefix}.${path}` : prefix || path;
    const detail =
      issue.code === "invalid_type"
        ? `falta o no tiene el tipo esperado (${issue.expected})`
        : issue.code === "custom"
          ? issue.message
          : "no tiene un valor válido";
    return { field, rule: "schema", message: `El campo ${field} ${detail}.` };
  });
}
