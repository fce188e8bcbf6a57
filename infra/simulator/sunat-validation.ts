import Decimal from "decimal.js";
import type { FieldError } from "./errors";
import { type AffectedReference, checkNoteReference } from "./sunat-notes";

/**
 * The checks SUNAT (and the OSE in front of it) runs on a receipt, written independently of lib/receipt so the
 * simulator can catch that library's mistakes. Codes are SUNAT's where SUNAT has one (1001, 2017, 2040, 2800,
 * 2801, 2802, 3103, 3271, 3277, 3279, 3280, 3291); checks that Acelérala's API would do before SUNAT use
 * `required` / `invalid_format`. Arithmetic checks allow SUNAT's ±1.00 tolerance.
 * Like SUNAT's XSL, the RUC check is length (and prefix) only: the check digit is the product's job.
 * A Nota de crédito (07) gets the same figures and customer checks as a receipt, plus its own (sunat-notes.ts).
 */

export type DocumentTypeCode = "01" | "03" | "07";
export type ReceiptNumbering = {
  documentTypeCode: DocumentTypeCode;
  series: string;
  correlative: number | null;
  /** For a note: the document it modifies (null on a receipt). */
  affected: AffectedReference | null;
};
export type ReceiptValidation = { errors: FieldError[]; numbering: ReceiptNumbering | null };

const TOLERANCE = new Decimal("1.00");
const DEFAULT_IGV_RATE = new Decimal(18);
const BOLETA_IDENTITY_THRESHOLD = new Decimal("700.00");

/** Catálogo 06 by the seed's words; `document_type_code` wins when both are sent. */
const IDENTITY_CODE_BY_WORD: Record<string, string> = {
  ruc: "6",
  dni: "1",
  "-": "-",
  ce: "4",
  passport: "7",
  cdi: "A",
  nd: "0",
  dnind: "B",
  tin: "C",
  in: "D",
  tam: "E",
};
const IDENTITY_CODES = new Set(Object.values(IDENTITY_CODE_BY_WORD));
const RUC_PREFIXES = ["10", "15", "17", "20"];
/** Catálogo 07. */
const SALES_TAX_CODES = new Set([
  "10",
  "11",
  "12",
  "13",
  "14",
  "15",
  "16",
  "17",
  "20",
  "21",
  "30",
  "31",
  "32",
  "33",
  "34",
  "35",
  "36",
  "37",
  "40",
]);

type Body = Record<string, unknown>;

function isRecord(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class Checker {
  readonly errors: FieldError[] = [];

  add(param: string, code: string, message: string): void {
    this.errors.push({ param, code, message });
  }

  /** A money or quantity value sent as a JSON number or a decimal string; null when absent or invalid. */
  amount(
    value: unknown,
    param: string,
    options: { required: boolean; maxDecimals?: number; fallback?: Decimal },
  ): Decimal | null {
    if (value === undefined || value === null || value === "") {
      if (options.required) this.add(param, "required", `${param} is required`);
      return options.fallback ?? null;
    }
    const text = typeof value === "number" ? String(value) : typeof value === "string" ? value : null;
    const decimals = options.maxDecimals ?? 2;
    const pattern = new RegExp(`^-?\\d{1,12}(\\.\\d{1,${decimals}})?$`);
    if (text === null || !pattern.test(text)) {
      this.add(param, "invalid_format", `${param} must be a decimal with up to ${decimals} decimals`);
      return null;
    }
    return new Decimal(text);
  }

  text(value: unknown, param: string, required = true): string | null {
    if (typeof value === "string" && value.trim() !== "") return value;
    if (typeof value === "number") return String(value);
    if (required) this.add(param, "required", `${param} is required`);
    return null;
  }

  /** SUNAT's arithmetic check: |declared − expected| ≤ 1.00. */
  within(
    declared: Decimal | null,
    expected: Decimal | null,
    param: string,
    code: string,
    rule: string,
  ): void {
    if (declared === null || expected === null) return;
    if (declared.minus(expected).abs().greaterThan(TOLERANCE)) {
      this.add(
        param,
        code,
        `${rule}: declared ${declared.toFixed(2)}, expected ${expected.toFixed(2)} (±1.00)`,
      );
    }
  }
}

function isDocumentTypeCode(value: unknown): value is DocumentTypeCode {
  return value === "01" || value === "03" || value === "07";
}

/** A Factura's series starts with F, a Boleta's with B, a note's with F or B (by what it modifies); or 4 digits. */
const SERIES_LETTERS: Record<DocumentTypeCode, string> = { "01": "F", "03": "B", "07": "FB" };

function checkNumbering(body: Body, check: Checker): ReceiptNumbering | null {
  const typeCode = body.document_type_code;
  if (!isDocumentTypeCode(typeCode)) {
    check.add(
      "document_type_code",
      typeCode === undefined ? "required" : "1003",
      'document_type_code must be "01" (Factura), "03" (Boleta) or "07" (Nota de crédito)',
    );
  }
  const series = check.text(body.series, "series");
  let seriesOk = false;
  if (series !== null && isDocumentTypeCode(typeCode)) {
    const letters = SERIES_LETTERS[typeCode];
    seriesOk = new RegExp(`^([${letters}][A-Z0-9]{3}|\\d{4})$`).test(series);
    if (!seriesOk) {
      check.add(
        "series",
        "1001",
        `series for document type ${typeCode} must be ${letters.split("").join(" or ")} + 3 alphanumerics, or 4 digits`,
      );
    }
  }
  let correlative: number | null = null;
  const rawCorrelative = body.correlative;
  if (rawCorrelative !== undefined && rawCorrelative !== null) {
    const text = String(rawCorrelative);
    if (
      !/^[1-9]\d{0,7}$/.test(text) ||
      (typeof rawCorrelative !== "number" && typeof rawCorrelative !== "string")
    ) {
      check.add("correlative", "1001", "correlative must be 1 to 8 digits without leading zeros");
    } else {
      correlative = Number(text);
    }
  }
  if (isDocumentTypeCode(typeCode) && series !== null && seriesOk) {
    return { documentTypeCode: typeCode, series, correlative, affected: null };
  }
  return null;
}

/** The sale document type whose customer rules apply: a note in an F series modifies a Factura. */
function saleTypeOf(body: Body): string | undefined {
  const typeCode = body.document_type_code;
  if (typeCode !== "07") return typeof typeCode === "string" ? typeCode : undefined;
  return typeof body.series === "string" && body.series.startsWith("F") ? "01" : undefined;
}

function checkCustomer(body: Body, check: Checker, grossTotal: Decimal | null): void {
  const customer = body.customer_information;
  if (!isRecord(customer)) {
    check.add("customer_information", "required", "customer_information is required");
    return;
  }
  const explicitCode = customer.document_type_code;
  const word = customer.document_type;
  const code =
    typeof explicitCode === "string" && explicitCode !== ""
      ? explicitCode
      : typeof word === "string"
        ? IDENTITY_CODE_BY_WORD[word]
        : undefined;
  if (code === undefined || !IDENTITY_CODES.has(code)) {
    const param =
      explicitCode !== undefined
        ? "customer_information.document_type_code"
        : "customer_information.document_type";
    check.add(param, "2800", "the customer's identity document type is missing or not in Catálogo 06");
    return;
  }
  const numberParam = "customer_information.document_number";
  const documentNumber = typeof customer.document_number === "string" ? customer.document_number : "";
  check.text(customer.name, "customer_information.name", code !== "-");

  if (saleTypeOf(body) === "01" && code !== "6") {
    check.add(
      "customer_information.document_type_code",
      "2800",
      "a Factura's customer (and a note's on a Factura) must be identified by RUC (6)",
    );
  }
  if (
    code === "6" &&
    !(/^\d{11}$/.test(documentNumber) && RUC_PREFIXES.includes(documentNumber.slice(0, 2)))
  ) {
    check.add(numberParam, "2017", "a RUC must be 11 digits starting with 10, 15, 17 or 20");
  } else if (code === "1" && !/^\d{8}$/.test(documentNumber)) {
    check.add(numberParam, "2801", "a DNI must be exactly 8 digits");
  } else if (code !== "6" && code !== "1" && code !== "-" && !/^[A-Za-z0-9]{1,15}$/.test(documentNumber)) {
    check.add(numberParam, "2802", "the identity document number must be 1 to 15 alphanumerics");
  }
  // SUNAT's threshold is in soles; the simulator has no exchange rate, so it only enforces it for PEN.
  if (
    body.document_type_code === "03" &&
    code === "-" &&
    body.currency_code === "PEN" &&
    grossTotal?.greaterThan(BOLETA_IDENTITY_THRESHOLD)
  ) {
    check.add(
      "customer_information.document_type_code",
      "2800",
      "a Boleta over S/ 700.00 must identify the customer with a document other than '-'",
    );
  }
}

type LineFigures = { taxCode: string; rate: Decimal; taxable: Decimal | null; tax: Decimal | null };

function checkItems(body: Body, check: Checker): LineFigures[] {
  const items = body.items;
  if (!Array.isArray(items) || items.length === 0) {
    check.add("items", "required", "items must be a non-empty array");
    return [];
  }
  return items.map((item: unknown, index): LineFigures => {
    const at = `items[${index}]`;
    if (!isRecord(item)) {
      check.add(at, "invalid_format", `${at} must be an object`);
      return { taxCode: "10", rate: DEFAULT_IGV_RATE, taxable: null, tax: null };
    }
    check.text(item.name, `${at}.name`);
    const taxCode = item.sales_tax_code === undefined ? "10" : String(item.sales_tax_code);
    if (!SALES_TAX_CODES.has(taxCode)) {
      check.add(`${at}.sales_tax_code`, "2040", "sales_tax_code must be a Catálogo 07 code");
    }
    const quantity = check.amount(item.quantity, `${at}.quantity`, { required: true, maxDecimals: 10 });
    if (quantity?.lessThanOrEqualTo(0))
      check.add(`${at}.quantity`, "2023", "quantity must be greater than 0");
    const unitValue = check.amount(item.net_unit_price, `${at}.net_unit_price`, {
      required: true,
      maxDecimals: 10,
    });
    const discounts = check.amount(item.net_discounts_total, `${at}.net_discounts_total`, {
      required: false,
      fallback: new Decimal(0),
    });
    const lineValue = check.amount(item.net_total, `${at}.net_total`, { required: true });
    const rate =
      check.amount(item.sales_tax_rate, `${at}.sales_tax_rate`, {
        required: false,
        fallback: DEFAULT_IGV_RATE,
      }) ?? DEFAULT_IGV_RATE;
    const taxable = check.amount(item.taxable_total, `${at}.taxable_total`, { required: false }) ?? lineValue;
    const tax = check.amount(item.sales_tax_total, `${at}.sales_tax_total`, { required: true });

    if (quantity && unitValue && discounts) {
      check.within(
        lineValue,
        quantity.times(unitValue).minus(discounts),
        `${at}.net_total`,
        "3271",
        "line value must equal quantity × unit value − discounts",
      );
    }
    if (taxCode === "10" && taxable) {
      check.within(
        tax,
        taxable.times(rate).dividedBy(100),
        `${at}.sales_tax_total`,
        "3103",
        "line IGV must equal base × rate",
      );
    }
    return { taxCode, rate, taxable, tax };
  });
}

function sumGlobalBaseDiscounts(body: Body, check: Checker): Decimal {
  const discounts = body.global_discounts;
  if (Array.isArray(discounts) && discounts.length > 0) {
    return discounts.reduce((sum: Decimal, discount: unknown, index) => {
      if (!isRecord(discount) || String(discount.code ?? "") !== "02") return sum;
      const amount = check.amount(
        discount.net_amount ?? discount.amount,
        `global_discounts[${index}].net_amount`,
        {
          required: true,
        },
      );
      return amount ? sum.plus(amount) : sum;
    }, new Decimal(0));
  }
  return (
    check.amount(body.global_discounts_net_total, "global_discounts_net_total", {
      required: false,
      fallback: new Decimal(0),
    }) ?? new Decimal(0)
  );
}

function checkTotals(body: Body, check: Checker, lines: LineFigures[], grossTotal: Decimal | null): void {
  const optional = (name: string) =>
    check.amount(body[name], name, { required: false, fallback: new Decimal(0) });
  const hasTaxableLines = lines.some((line) => line.taxCode === "10");
  const taxableTotal = check.amount(body.taxable_total, "taxable_total", { required: hasTaxableLines });
  const salesTaxTotal = check.amount(body.sales_tax_total, "sales_tax_total", { required: true });
  const netTotal = check.amount(body.net_total, "net_total", { required: true });
  const taxesTotal = check.amount(body.taxes_total, "taxes_total", { required: true });
  const exemptTotal = optional("exempt_total");
  const unaffectedTotal = optional("unaffected_total");
  const otherCharges = optional("other_charges_total");
  const advances = optional("advances_total");
  const globalBaseDiscounts = sumGlobalBaseDiscounts(body, check);

  const taxableLines = lines.filter((line) => line.taxCode === "10");
  if (taxableLines.every((line) => line.taxable !== null)) {
    const sumTaxable = taxableLines.reduce((sum, line) => sum.plus(line.taxable ?? 0), new Decimal(0));
    check.within(
      taxableTotal ?? new Decimal(0),
      sumTaxable.minus(globalBaseDiscounts),
      "taxable_total",
      "3277",
      "taxable total must equal Σ taxable line values − global discounts (code 02)",
    );
  }
  const rate = taxableLines[0]?.rate ?? DEFAULT_IGV_RATE;
  if (taxableTotal) {
    check.within(
      salesTaxTotal,
      taxableTotal.times(rate).dividedBy(100),
      "sales_tax_total",
      "3291",
      "total IGV must equal taxable total × rate",
    );
  }
  const plasticTax = sumPlasticTax(body);
  if (netTotal && taxesTotal && exemptTotal && unaffectedTotal && salesTaxTotal) {
    check.within(
      netTotal.plus(taxesTotal),
      (taxableTotal ?? new Decimal(0))
        .plus(exemptTotal)
        .plus(unaffectedTotal)
        .plus(salesTaxTotal)
        .plus(plasticTax),
      "net_total",
      "3279",
      "tax-inclusive total (net_total + taxes_total) must equal taxable + exempt + unaffected + IGV + ICBPER",
    );
  }
  if (netTotal && taxesTotal && otherCharges && advances) {
    check.within(
      grossTotal,
      netTotal.plus(taxesTotal).plus(otherCharges).minus(advances),
      "gross_total",
      "3280",
      "payable total (gross_total) must equal net_total + taxes_total + other charges − advances",
    );
  }
}

function sumPlasticTax(body: Body): Decimal {
  const items = Array.isArray(body.items) ? body.items : [];
  return items.reduce((sum: Decimal, item: unknown) => {
    if (!isRecord(item)) return sum;
    const value = item.plastic_tax_total;
    if (typeof value === "number" || (typeof value === "string" && /^\d+(\.\d+)?$/.test(value))) {
      return sum.plus(new Decimal(value));
    }
    return sum;
  }, new Decimal(0));
}

/**
 * The receipt becomes an XML document for SUNAT, and XML 1.0 cannot hold some characters at all (C0 controls
 * but tab/LF/CR, U+FFFE, U+FFFF, lone surrogates): the XML would not parse. Reports the first field with one.
 */
function checkXmlCharacters(value: unknown, path: string, check: Checker): boolean {
  if (typeof value === "string") {
    for (const character of value) {
      const code = character.codePointAt(0) ?? 0;
      const allowed =
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code < 0xd800) ||
        (code > 0xdfff && code < 0xfffe) ||
        code >= 0x10000;
      if (!allowed) {
        check.add(
          path,
          "invalid_characters",
          `${path} holds U+${code.toString(16).toUpperCase().padStart(4, "0")}, which XML cannot carry`,
        );
        return false;
      }
    }
    return true;
  }
  if (Array.isArray(value))
    return value.every((item, index) => checkXmlCharacters(item, `${path}.${index}`, check));
  if (isRecord(value))
    return Object.entries(value).every(([key, item]) =>
      checkXmlCharacters(item, path ? `${path}.${key}` : key, check),
    );
  return true;
}

export function validateReceipt(body: unknown): ReceiptValidation {
  const check = new Checker();
  if (!isRecord(body)) {
    check.add("", "invalid_format", "the body must be a JSON object");
    return { errors: check.errors, numbering: null };
  }
  checkXmlCharacters(body, "", check);
  const numbering = checkNumbering(body, check);
  if (body.document_type_code === "07") {
    // Checked even when the series is wrong, so every broken rule shows at once.
    const affected = checkNoteReference(body, numbering?.series ?? null, (param, code, message) =>
      check.add(param, code, message),
    );
    if (numbering) numbering.affected = affected;
  }
  const currency = check.text(body.currency_code, "currency_code");
  if (currency !== null && !/^[A-Z]{3}$/.test(currency)) {
    check.add("currency_code", "invalid_format", "currency_code must be an ISO 4217 code such as PEN");
  }
  if (body.order_id !== undefined && body.order_id !== null && !/^\d+$/.test(String(body.order_id))) {
    check.add("order_id", "invalid_format", "order_id must be an order id or null");
  }
  const grossTotal = check.amount(body.gross_total, "gross_total", { required: true });
  checkCustomer(body, check, grossTotal);
  const lines = checkItems(body, check);
  checkTotals(body, check, lines, grossTotal);
  return { errors: check.errors, numbering };
}
