import Decimal from "decimal.js";
import { decimalOf } from "./amounts";
import type { FieldError } from "./errors";

/**
 * SUNAT's checks on a Nota de crédito (07), written for the simulator alone (never import lib/receipt: this is the
 * check of the product). Two halves:
 * - `checkNoteReference`: what the note itself must say (the document it modifies, one motive), as SUNAT's
 *   stylesheet for credit notes checks it (ValidaExprRegNC-2.0.1.xsl, UBL 2.1);
 * - `checkNoteAgainstStore`: what only the store's records can tell (the modified document exists and SUNAT
 *   accepted it, same currency, not dated before it, and the notes on it never credit more than it).
 * Codes and texts are SUNAT's error catalogue (CodeErrors.xml as published in thegreenter/greenter,
 * packages/xcodes/src/data/CodeErrors.xml); the stylesheet's rules were read in
 * BinniZenobioCordovaLeandro/ose.xml.validator, xsl/2.1/ValidaExprRegNC-2.0.1.xsl.
 */

type Add = (param: string, code: string, message: string) => void;
type Body = Record<string, unknown>;

/** The sale document a note modifies, as the note names it. */
export type AffectedReference = {
  documentTypeCode: "01" | "03";
  series: string;
  correlative: number;
  /** SERIES-CORRELATIVE without leading zeros: how the store's receipts are numbered. */
  documentNumber: string;
};

/**
 * Catálogo 09 (Códigos de tipo de nota de crédito electrónica), the simulator's own copy. The seed says the
 * description is the code's text in this catalogue, so that is what `note_motive_description` must say (SUNAT
 * itself takes any text of 2–500 characters: the seed's reading is the stricter one, and a sender that meets it
 * meets SUNAT's). Code 13 circulates under two texts; both are accepted.
 */
const CATALOG_09: Record<string, readonly string[]> = {
  "01": ["Anulación de la operación"],
  "02": ["Anulación por error en el RUC"],
  "03": ["Corrección por error en la descripción"],
  "04": ["Descuento global"],
  "05": ["Descuento por ítem"],
  "06": ["Devolución total"],
  "07": ["Devolución por ítem"],
  "08": ["Bonificación"],
  "09": ["Disminución en el valor"],
  "10": ["Otros conceptos"],
  "11": ["Ajustes de operaciones de exportación"],
  "12": ["Ajustes afectos al IVAP"],
  "13": [
    "Ajustes - montos y/o fechas de pago",
    "Corrección del monto neto pendiente de pago y/o la(s) fechas(s) de vencimiento del pago único o de las cuotas y/o los montos correspondientes a cada cuota, de ser el caso",
  ],
};

/**
 * The modified document's number, per its type (SUNAT 2117, from the stylesheet): an electronic series (F or B +
 * 3), the portal's (E001 / EB01), or a contingency series of up to 4 digits; correlative of 1 to 8 digits.
 */
const AFFECTED_NUMBER: Record<"01" | "03", RegExp> = {
  "01": /^(F[A-Z0-9]{3}|E001|\d{1,4})-(\d{1,8})$/,
  "03": /^(B[A-Z0-9]{3}|EB01|\d{1,4})-(\d{1,8})$/,
};

/** Case, accents, dashes and spacing aside, the same words. */
function sameText(left: string, right: string): boolean {
  const normal = (text: string) =>
    text
      .normalize("NFD")
      .replace(/\p{Mn}/gu, "")
      .replace(/[\u2010-\u2015]/g, "-")
      .replace(/\s+/g, " ")
      .trim()
      .toLowerCase();
  return normal(left) === normal(right);
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

/**
 * The modified document and the motive, as the note states them. `series` is the note's own (already checked to
 * be F/B + 3 or 4 digits); its letter says which kind of document it may modify (2116 / 2399). Returns the
 * reference when it is usable for the store's checks.
 */
export function checkNoteReference(body: Body, series: string | null, add: Add): AffectedReference | null {
  checkMotive(body, add);
  const typeCode = body.affected_document_type_code;
  const letter = series?.[0];
  let affectedType: "01" | "03" | null = null;
  if (isBlank(typeCode)) {
    add(
      "affected_document_type_code",
      "2583",
      "Debe consignar tipo de documento que modifica: affected_document_type_code is required on a note (01 or 03)",
    );
  } else if (letter === "F" && typeCode !== "01") {
    add(
      "affected_document_type_code",
      "2116",
      `El tipo de documento modificado por la Nota de credito debe ser factura electronica: a note in series ${series} modifies a Factura (01), not ${JSON.stringify(typeCode)}`,
    );
  } else if (letter === "B" && typeCode !== "03") {
    add(
      "affected_document_type_code",
      "2399",
      `El tipo de documento modificado por la Nota de credito debe ser boleta electronica: a note in series ${series} modifies a Boleta (03), not ${JSON.stringify(typeCode)}`,
    );
  } else if (typeCode !== "01" && typeCode !== "03") {
    add(
      "affected_document_type_code",
      "2594",
      "El tipo de documento modificado por la nota electronica no es valido: it must be 01 (Factura) or 03 (Boleta)",
    );
  } else {
    affectedType = typeCode;
  }

  const number = body.affected_document_number;
  if (isBlank(number)) {
    add(
      "affected_document_number",
      "2524",
      "Debe indicar el documento afectado por la nota: affected_document_number (SERIES-CORRELATIVE) is required",
    );
    return null;
  }
  if (affectedType === null) return null;
  const match = typeof number === "string" ? AFFECTED_NUMBER[affectedType].exec(number) : null;
  if (!match?.[1] || !match[2]) {
    add(
      "affected_document_number",
      "2117",
      `La serie o numero del documento modificado por la Nota de Credito no cumple con el formato establecido: ${affectedType === "01" ? "F" : "B"} + 3 characters (or a contingency series), a hyphen and 1 to 8 digits`,
    );
    return null;
  }
  // SUNAT registers a document by its number: F001-00000012 and F001-12 are the same document.
  const correlative = Number(match[2]);
  return {
    documentTypeCode: affectedType,
    series: match[1],
    correlative,
    documentNumber: `${match[1]}-${correlative}`,
  };
}

/** One Catálogo 09 motive (2128 / 3203 / 2172) and its description (2136 / 2413 / 2135, and the seed's text). */
function checkMotive(body: Body, add: Add): void {
  const code = body.note_motive_code;
  let catalogCode: string | null = null;
  if (isBlank(code)) {
    add("note_motive_code", "2128", "note_motive_code (Catálogo 09) is required on a note");
  } else if (Array.isArray(code) || (typeof code === "string" && /[,;\s]/.test(code.trim()))) {
    add("note_motive_code", "3203", "El tipo de nota es un dato único: a note carries exactly one motive");
  } else if (typeof code !== "string" || !Object.hasOwn(CATALOG_09, code)) {
    add(
      "note_motive_code",
      "2172",
      `note_motive_code ${JSON.stringify(code)} is not in Catálogo 09 (a two-character code such as "01")`,
    );
  } else {
    catalogCode = code;
  }

  const description = body.note_motive_description;
  if (Array.isArray(description) && description.length > 1) {
    add(
      "note_motive_description",
      "2413",
      "Se ha consignado mas de un motivo o sustento de la nota: one description per note",
    );
    return;
  }
  if (isBlank(description)) {
    add("note_motive_description", "2136", "note_motive_description is required on a note");
    return;
  }
  // SUNAT's pattern: ^(?!\s*$)[^\s].{1,499}$ — 2 to 500 characters, not starting with a space, no line breaks.
  if (typeof description !== "string" || !/^\S.{1,499}$/u.test(description)) {
    add(
      "note_motive_description",
      "2135",
      "note_motive_description must be text of 2 to 500 characters on one line, not starting with a space",
    );
    return;
  }
  const texts = catalogCode === null ? undefined : CATALOG_09[catalogCode];
  if (texts && !texts.some((text) => sameText(text, description))) {
    add(
      "note_motive_description",
      "invalid_format",
      `note_motive_description must be the Catálogo 09 text of motive ${catalogCode}: "${texts[0]}"`,
    );
  }
}

/** What the store knows about a receipt, as far as a note's checks need it. */
export type StoredDocument = {
  document_number: string;
  currency_code?: unknown;
  gross_total?: unknown;
  issue_date?: unknown;
  sunat_acknowledged: 0 | 1;
  sunat_accepted: 0 | 1;
  sunat_code: string | null;
};

/**
 * SUNAT's final "no" to a document: a rejection (2000–3999; the number is burnt), or exception 1033 for a number
 * already registered with other data (the repeat never becomes a document). An exception 0100–1999 otherwise is
 * not final: the document is sent again and accepted.
 */
export function sunatRefused(document: StoredDocument): boolean {
  if (document.sunat_acknowledged !== 1 || document.sunat_accepted === 1) return false;
  const code = Number(document.sunat_code);
  return code === 1033 || (code >= 2000 && code <= 3999);
}

/**
 * The checks that need the store's records. `affected` is the receipt registered under the modified number (null:
 * none); `earlierNotes` are the store's notes already on it.
 */
export function checkNoteAgainstStore(
  note: Body,
  reference: AffectedReference,
  affected: StoredDocument | null,
  earlierNotes: readonly StoredDocument[],
): FieldError[] {
  const errors: FieldError[] = [];
  const add: Add = (param, code, message) => errors.push({ param, code, message });
  const name = reference.documentTypeCode === "01" ? "Factura" : "Boleta";
  if (affected === null) {
    add(
      "affected_document_number",
      "2119",
      `El documento modificado en la Nota de credito no esta registrada: the store has no ${name} ${reference.documentNumber}`,
    );
    return errors;
  }
  if (sunatRefused(affected)) {
    add(
      "affected_document_number",
      "2121",
      `El documento modificado en la Nota de credito esta registrada como rechazada: SUNAT refused ${reference.documentNumber} (${affected.sunat_code})`,
    );
    return errors;
  }
  if (affected.sunat_accepted !== 1) {
    // Not registered at SUNAT yet (no answer, or an exception before the document is sent again).
    add(
      "affected_document_number",
      "2119",
      `El documento modificado en la Nota de credito no esta registrada: SUNAT has not accepted ${reference.documentNumber} yet`,
    );
    return errors;
  }
  if (typeof note.currency_code === "string" && note.currency_code !== affected.currency_code) {
    add(
      "currency_code",
      "3209",
      `El tipo de moneda de la nota debe ser el mismo que el declarado en el documento que modifica: ${String(affected.currency_code)}`,
    );
  }
  if (
    typeof note.issue_date === "string" &&
    typeof affected.issue_date === "string" &&
    note.issue_date < affected.issue_date
  ) {
    add(
      "issue_date",
      "2885",
      `La fecha de emisión de la nota debe ser mayor o igual a la fecha de emisión de los documentos que modifica (${affected.issue_date})`,
    );
  }
  const affectedTotal = decimalOf(affected.gross_total);
  const noteTotal = decimalOf(note.gross_total);
  if (affectedTotal !== null && noteTotal !== null) {
    const credited = earlierNotes
      .filter((earlier) => !sunatRefused(earlier))
      .reduce((sum, earlier) => sum.plus(decimalOf(earlier.gross_total) ?? 0), new Decimal(0));
    // SUNAT itself only observes a single note above its document (4028, "El monto total de la nota de credito
    // debe ser menor o igual al monto de la factura"); the simulator refuses the sum of the notes that may take
    // effect above it, on purpose: crediting more than was sold is never right, and a kinder simulator would hide
    // the product's mistake behind an observation.
    if (credited.plus(noteTotal).greaterThan(affectedTotal)) {
      add(
        "gross_total",
        "4028",
        `El monto total de la nota de credito debe ser menor o igual al monto de la factura: ${reference.documentNumber} is ${affectedTotal.toFixed(2)}, already credited ${credited.toFixed(2)}, this note ${noteTotal.toFixed(2)}`,
      );
    }
  }
  return errors;
}
