import Decimal from "decimal.js";
import { chance, createRandom, pick, type Random, randomInt } from "./random";

/**
 * Realistic Acelérala orders in the seed's shape, deterministic for a given seed. Prices include IGV
 * (`taxes_included: true`) and every figure adds up to the cent:
 *   line.subtotal = price × quantity; line.total = subtotal − line.discounts_total;
 *   lines_total = Σ line.total; subtotal = lines_total − global_discounts_total; total = subtotal + shipping_total.
 * `discounts_total` is the order-level (global) discount, as in the seed's example. The customer's requested
 * document is `billing_details.receipt_type` ("ticket" = Boleta, "invoice" = Factura): the seed describes the
 * field without naming it, so this name is the simulator's choice.
 * Amounts are strings with 2 decimals; quantities are integers.
 */

export type OrderLine = {
  id: number;
  object: "line";
  product_id: number;
  alternative_id: number;
  image_url: string;
  sunat_product_code: string;
  quantity: number;
  weight: null;
  name: string;
  sku: string;
  price: string;
  subtotal: string;
  discounts_total: string;
  discount_allocations: { discount_id: number; amount: string }[];
  total: string;
  fulfillment_details: {
    requires_shipping: boolean;
    fulfillable_quantity: number;
    preferred_date_start: null;
  };
};

export type DiscountApplication = {
  id: number;
  discount_id: string;
  name: string;
  label: string;
  description: string;
  value: string;
  value_type: "percentage" | "fixed_amount";
  buys: "anything" | "products";
  target: "subtotal" | "products";
  allocation_trigger: "manual" | "automatic";
  total_allocated: string;
};

export type BillingDetails = {
  first_name: string;
  last_name: string;
  company: string;
  email: string;
  receipt_type: "ticket" | "invoice";
  document_type: "dni" | "ruc" | "ce" | "-";
  document_number: string;
  phone: string;
  address1: string;
  city: string;
  province: string;
  district: string;
  country: string;
  country_code: string;
  zip_code: string;
};

export type FactoryOrder = {
  id: number;
  object: "order";
  store_id: number;
  currency_code: "PEN" | "USD";
  payment_status: string;
  billing_details: BillingDetails;
  shipping_address: Record<string, unknown>;
  lines: OrderLine[];
  discount_applications: DiscountApplication[];
  discounts_total: string;
  global_discounts_total: string;
  shipping_discounts_total: string;
  taxes_included: true;
  lines_total: string;
  subtotal: string;
  shipping_total: string;
  total: string;
  note: string | null;
  created: string;
  modified: string;
  placed: string | null;
  canceled: string | null;
};

export type OrderFactoryOptions = {
  /** Which receipt the customer asks for; default: Factura about 30 % of the time. */
  documentKind?: "boleta" | "factura";
  currency?: "PEN" | "USD";
  /** Number of lines (default 1–4). */
  lineCount?: number;
  storeId?: number;
};

export type BrokenOrderKind =
  | "totals_mismatch"
  | "line_total_mismatch"
  | "factura_invalid_ruc_check_digit"
  | "factura_ruc_wrong_length"
  | "factura_without_ruc"
  | "boleta_over_700_without_document";

export const BROKEN_ORDER_KINDS: readonly BrokenOrderKind[] = [
  "totals_mismatch",
  "line_total_mismatch",
  "factura_invalid_ruc_check_digit",
  "factura_ruc_wrong_length",
  "factura_without_ruc",
  "boleta_over_700_without_document",
];

const DEMO_STORE_ID = 511;
/** Above these a Boleta must identify the customer (S/ 700; the demo store's USD equivalent is US$ 175). */
const BOLETA_IDENTITY_THRESHOLDS = { PEN: new Decimal("700.00"), USD: new Decimal("175.00") };
const RUC_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
const EPOCH = Date.parse("2025-01-01T00:00:00.000Z");

const FIRST_NAMES = [
  "Manuel",
  "Lucía",
  "Rosa",
  "Jorge",
  "Carmen",
  "Luis",
  "Ana",
  "Diego",
  "Valeria",
  "Julio",
];
const LAST_NAMES = [
  "Cornejo",
  "Quispe",
  "Flores",
  "Huamán",
  "Rojas",
  "Vargas",
  "Mendoza",
  "Torres",
  "Chávez",
];
const COMPANIES = ["Kalagreen S.A.C.", "Agrolight Perú S.A.C.", "Yuca E.I.R.L.", "Inversiones Andinas S.A."];
const DISTRICTS = ["San Borja", "Miraflores", "Santa Anita", "La Molina", "Surco", "Barranco", "Lince"];
const PRODUCTS: readonly { name: string; sku: string; minPrice: number; maxPrice: number }[] = [
  { name: "Grips", sku: "GRP", minPrice: 15, maxPrice: 60 },
  { name: "Polo algodón pima - Talla M", sku: "POL", minPrice: 39, maxPrice: 89 },
  { name: "Café de Chanchamayo 500 g", sku: "CAF", minPrice: 18, maxPrice: 45 },
  { name: "Mochila urbana", sku: "MOC", minPrice: 79, maxPrice: 199 },
  { name: "Zapatillas running", sku: "ZAP", minPrice: 149, maxPrice: 349 },
  { name: "Audífonos inalámbricos", sku: "AUD", minPrice: 59, maxPrice: 259 },
  { name: "Chocolate de Piura 70%", sku: "CHO", minPrice: 8.5, maxPrice: 24.9 },
];

/** RUC check digit: weights 5,4,3,2,7,6,5,4,3,2 on the first ten digits; dv = (11 − s mod 11) mod 10. */
export function rucCheckDigit(firstTenDigits: string): number {
  if (!/^\d{10}$/.test(firstTenDigits)) throw new Error("rucCheckDigit needs exactly ten digits");
  const sum = RUC_WEIGHTS.reduce((total, weight, index) => total + weight * Number(firstTenDigits[index]), 0);
  return (11 - (sum % 11)) % 10;
}

export function isValidRuc(ruc: string): boolean {
  return /^(10|15|17|20)\d{9}$/.test(ruc) && rucCheckDigit(ruc.slice(0, 10)) === Number(ruc[10]);
}

function digits(random: Random, count: number): string {
  let text = "";
  for (let index = 0; index < count; index++) text += String(randomInt(random, 0, 9));
  return text;
}

export function makeRuc(random: Random, prefix: "10" | "20" = "20"): string {
  const firstTen = prefix + digits(random, 8);
  return firstTen + String(rucCheckDigit(firstTen));
}

function money(value: Decimal.Value): string {
  return new Decimal(value).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
}

function randomPrice(random: Random, min: number, max: number): Decimal {
  const cents = randomInt(random, Math.round(min * 100), Math.round(max * 100));
  // Shops price at .00 or .90 mostly; keep a few odd cents to exercise rounding.
  const rounded = chance(random, 0.8) ? Math.floor(cents / 100) * 100 + pick(random, [0, 90]) : cents;
  return new Decimal(rounded).dividedBy(100);
}

function makeLine(random: Random, index: number, currency: "PEN" | "USD"): OrderLine {
  const product = pick(random, PRODUCTS);
  const scale = currency === "USD" ? 0.27 : 1;
  const price = randomPrice(random, Math.max(1, product.minPrice * scale), product.maxPrice * scale);
  const quantity = randomInt(random, 1, 3);
  const subtotal = price.times(quantity);
  const discount = chance(random, 0.25)
    ? subtotal
        .times(randomInt(random, 5, 30))
        .dividedBy(100)
        .toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
    : new Decimal(0);
  const productId = randomInt(random, 1000, 9999);
  const discountId = 1300 + index;
  return {
    id: randomInt(random, 40000, 99999),
    object: "line",
    product_id: productId,
    alternative_id: productId + 21,
    image_url: `https://cdn.acelerala.com/img/${productId}.jpg`,
    sunat_product_code: `LPX${productId}`,
    quantity,
    weight: null,
    name: product.name,
    sku: `${product.sku}-${productId}`,
    price: money(price),
    subtotal: money(subtotal),
    discounts_total: money(discount),
    discount_allocations: discount.isZero() ? [] : [{ discount_id: discountId, amount: money(discount) }],
    total: money(subtotal.minus(discount)),
    fulfillment_details: {
      requires_shipping: true,
      fulfillable_quantity: quantity,
      preferred_date_start: null,
    },
  };
}

function person(random: Random): { first_name: string; last_name: string; email: string; phone: string } {
  const firstName = pick(random, FIRST_NAMES);
  const lastName = pick(random, LAST_NAMES);
  const mailbox = `${firstName}.${lastName}${randomInt(random, 1, 99)}`
    .normalize("NFD")
    .replace(/[^A-Za-z0-9.]/g, "")
    .toLowerCase();
  return {
    first_name: firstName,
    last_name: lastName,
    email: `${mailbox}@example.com`,
    phone: `9${digits(random, 8)}`,
  };
}

function identity(
  random: Random,
  kind: "boleta" | "factura",
  total: Decimal,
  currency: "PEN" | "USD",
): Pick<BillingDetails, "receipt_type" | "document_type" | "document_number" | "company"> {
  if (kind === "factura") {
    const prefix = chance(random, 0.8) ? "20" : "10";
    return {
      receipt_type: "invoice",
      document_type: "ruc",
      document_number: makeRuc(random, prefix),
      company: prefix === "20" ? pick(random, COMPANIES) : "",
    };
  }
  // Small boletas are often anonymous; over the threshold the customer must be identified.
  if (total.lessThanOrEqualTo(BOLETA_IDENTITY_THRESHOLDS[currency]) && chance(random, 0.5)) {
    return { receipt_type: "ticket", document_type: "-", document_number: "-", company: "" };
  }
  if (chance(random, 0.1)) {
    return { receipt_type: "ticket", document_type: "ce", document_number: digits(random, 9), company: "" };
  }
  return { receipt_type: "ticket", document_type: "dni", document_number: digits(random, 8), company: "" };
}

function isoAt(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}

function asRandom(source: Random | number): Random {
  return typeof source === "number" ? createRandom(source) : source;
}

/**
 * A paid, placed order whose figures add up. `random` is a seed or a stream from createRandom (pass the same
 * stream to draw many different orders reproducibly). `overrides` replace top-level fields (billing_details
 * is merged), so they can make an order that no longer adds up: that is the caller's intent.
 */
export function makeOrder(
  source: Random | number,
  overrides: Partial<Omit<FactoryOrder, "billing_details">> & {
    billing_details?: Partial<BillingDetails>;
  } = {},
  options: OrderFactoryOptions = {},
): FactoryOrder {
  const random = asRandom(source);
  const currency = options.currency ?? (chance(random, 0.1) ? "USD" : "PEN");
  const kind = options.documentKind ?? (chance(random, 0.3) ? "factura" : "boleta");
  const lineCount = options.lineCount ?? randomInt(random, 1, 4);
  const lines = Array.from({ length: lineCount }, (_, index) => makeLine(random, index, currency));
  const linesTotal = lines.reduce((sum, line) => sum.plus(line.total), new Decimal(0));

  const discountApplications: DiscountApplication[] = [];
  let globalDiscount = new Decimal(0);
  if (chance(random, 0.2) && linesTotal.greaterThan(30)) {
    const percentage = chance(random, 0.5);
    globalDiscount = percentage
      ? linesTotal.times(10).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
      : new Decimal(pick(random, [5, 10, 20]));
    discountApplications.push({
      id: 2000,
      discount_id: "23",
      name: percentage ? "10% en toda la tienda" : `S/ ${globalDiscount.toFixed(0)} de descuento`,
      label: percentage ? "TIENDA10" : `MENOS${globalDiscount.toFixed(0)}`,
      description: "Descuento aplicado al subtotal de la orden",
      value: percentage ? "10.00" : money(globalDiscount),
      value_type: percentage ? "percentage" : "fixed_amount",
      buys: "anything",
      target: "subtotal",
      allocation_trigger: "manual",
      total_allocated: money(globalDiscount),
    });
  }
  for (const line of lines) {
    for (const allocation of line.discount_allocations) {
      discountApplications.push({
        id: allocation.discount_id,
        discount_id: String(allocation.discount_id - 1300 + 21),
        name: "Promo cyber Wow",
        label: "CYBERWOW",
        description: "Descuento por producto",
        value: allocation.amount,
        value_type: "fixed_amount",
        buys: "products",
        target: "products",
        allocation_trigger: "automatic",
        total_allocated: allocation.amount,
      });
    }
  }
  const subtotal = linesTotal.minus(globalDiscount);
  const shipping = chance(random, 0.4)
    ? new Decimal(
        currency === "USD" ? pick(random, ["2.50", "4.00"]) : pick(random, ["8.00", "10.00", "15.00"]),
      )
    : new Decimal(0);
  const total = subtotal.plus(shipping);

  const buyer = person(random);
  const district = pick(random, DISTRICTS);
  const created = EPOCH + randomInt(random, 0, 180 * 24 * 3600) * 1000;
  const placed = created + randomInt(random, 30, 900) * 1000;
  const billing: BillingDetails = {
    ...buyer,
    ...identity(random, kind, total, currency),
    address1: `Av. Aviación ${randomInt(random, 100, 4999)}, ${district}`,
    city: "Lima",
    province: "Lima",
    district,
    country: "Perú",
    country_code: "PE",
    zip_code: `150${digits(random, 3)}`,
  };
  const order: FactoryOrder = {
    id: randomInt(random, 10000, 999999),
    object: "order",
    store_id: options.storeId ?? DEMO_STORE_ID,
    currency_code: currency,
    payment_status: "paid",
    billing_details: billing,
    shipping_address: {
      first_name: buyer.first_name,
      last_name: buyer.last_name,
      phone: buyer.phone,
      address1: billing.address1,
      address2: null,
      city: "Lima",
      province: "Lima",
      district,
      country: "Perú",
      country_code: "PE",
      longitude: null,
      latitude: null,
      zip_code: billing.zip_code,
    },
    lines,
    discount_applications: discountApplications,
    discounts_total: money(globalDiscount),
    global_discounts_total: money(globalDiscount),
    shipping_discounts_total: "0.00",
    taxes_included: true,
    lines_total: money(linesTotal),
    subtotal: money(subtotal),
    shipping_total: money(shipping),
    total: money(total),
    note: null,
    created: isoAt(created),
    modified: isoAt(placed),
    placed: isoAt(placed),
    canceled: null,
  };
  const { billing_details: billingOverrides, ...rest } = overrides;
  return { ...order, ...rest, billing_details: { ...order.billing_details, ...billingOverrides } };
}

/** An order that breaks one rule the product must catch before issuing (see BrokenOrderKind). */
export function makeBrokenOrder(kind: BrokenOrderKind, source: Random | number = 1): FactoryOrder {
  const random = asRandom(source);
  switch (kind) {
    case "totals_mismatch": {
      const order = makeOrder(random);
      return { ...order, total: money(new Decimal(order.total).plus("10.00")) };
    }
    case "line_total_mismatch": {
      const order = makeOrder(random);
      const [first, ...others] = order.lines;
      if (!first) throw new Error("factory orders always have a line");
      return {
        ...order,
        lines: [{ ...first, total: money(new Decimal(first.total).plus("1.50")) }, ...others],
      };
    }
    case "factura_invalid_ruc_check_digit": {
      const order = makeOrder(random, {}, { documentKind: "factura" });
      const ruc = order.billing_details.document_number;
      const wrongDigit = (Number(ruc[10]) + 1 + randomInt(random, 0, 8)) % 10;
      return {
        ...order,
        billing_details: { ...order.billing_details, document_number: ruc.slice(0, 10) + wrongDigit },
      };
    }
    case "factura_ruc_wrong_length": {
      const order = makeOrder(random, {}, { documentKind: "factura" });
      const ruc = order.billing_details.document_number;
      return { ...order, billing_details: { ...order.billing_details, document_number: ruc.slice(0, 10) } };
    }
    case "factura_without_ruc": {
      const order = makeOrder(random, {}, { documentKind: "factura" });
      return {
        ...order,
        billing_details: {
          ...order.billing_details,
          document_type: "dni",
          document_number: digits(random, 8),
        },
      };
    }
    case "boleta_over_700_without_document": {
      const order = makeOrder(random, {}, { documentKind: "boleta", currency: "PEN", lineCount: 1 });
      const [line] = order.lines;
      if (!line) throw new Error("factory orders always have a line");
      const price = new Decimal("350.00");
      const bigLine: OrderLine = {
        ...line,
        quantity: 3,
        price: money(price),
        subtotal: money(price.times(3)),
        discounts_total: "0.00",
        discount_allocations: [],
        total: money(price.times(3)),
      };
      const total = price.times(3).plus(order.shipping_total);
      return {
        ...order,
        lines: [bigLine],
        discount_applications: [],
        discounts_total: "0.00",
        global_discounts_total: "0.00",
        lines_total: bigLine.total,
        subtotal: bigLine.total,
        total: money(total),
        billing_details: {
          ...order.billing_details,
          receipt_type: "ticket",
          document_type: "-",
          document_number: "-",
        },
      };
    }
  }
}
