import Decimal from "decimal.js";
import fc from "fast-check";
import { icbperRate } from "../../../lib/receipt";

/**
 * Random Acelérala orders that ADD UP (every documented relation holds), for the property tests: varied
 * quantities (integers and kilos with 3 decimals), prices, line discounts (some 100 %: free lines), plastic
 * bags, an order-level discount, shipping with its discount, PEN/USD, taxes_included both ways, amounts
 * sometimes as strings and sometimes as numbers, Factura (RUC) or Boleta (DNI).
 */
export const BAG_SKU = "BOLSA-PLASTICO";

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
const cents = (value: Decimal.Value) => new D(value).toDecimalPlaces(2);

export interface GeneratedOrder {
  order: Record<string, unknown>;
  taxesIncluded: boolean;
  year: number;
  /** The order's total as a decimal string. */
  total: string;
}

/** "12.30" or 12.3: real payloads send both. */
function asAmount(value: Decimal, asString: boolean): string | number {
  return asString ? value.toFixed(2) : value.toNumber();
}

const lineSpec = fc.record({
  kind: fc.constantFrom("unit", "unit", "unit", "kilo", "bag"),
  units: fc.integer({ min: 1, max: 50 }),
  milliKilos: fc.integer({ min: 1, max: 20_000 }),
  priceCents: fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 500_000 })),
  discount: fc.constantFrom("none", "none", "some", "free"),
  discountShare: fc.double({ min: 0, max: 1, noNaN: true }),
  asString: fc.boolean(),
});

export const orderArbitrary: fc.Arbitrary<GeneratedOrder> = fc
  .record({
    id: fc.integer({ min: 1, max: 10_000_000 }),
    currency: fc.constantFrom("PEN", "USD"),
    taxesIncluded: fc.boolean(),
    invoice: fc.boolean(),
    year: fc.integer({ min: 2019, max: 2026 }),
    lines: fc.array(lineSpec, { minLength: 1, maxLength: 10 }),
    orderDiscountShare: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
    shippingCents: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30_000 })),
    shippingDiscountShare: fc.oneof(
      fc.constant(0),
      fc.constant(1),
      fc.double({ min: 0, max: 1, noNaN: true }),
    ),
  })
  .map(
    ({
      id,
      currency,
      taxesIncluded,
      invoice,
      year,
      lines,
      orderDiscountShare,
      shippingCents,
      shippingDiscountShare,
    }) => {
      const rate = icbperRate(year);
      let linesTotal = new D(0);
      /** What the order-level discount may take: the charged lines' value without ICBPER. */
      let discountable = new D(0);
      const orderLines = lines.map((spec, index) => {
        const isBag = spec.kind === "bag";
        const quantity =
          spec.kind === "kilo"
            ? new D(spec.milliKilos).div(1000)
            : new D(isBag ? Math.min(spec.units, 10) : spec.units);
        // A bag's price must carry its ICBPER when prices include taxes.
        let price = new D(spec.priceCents).div(100);
        if (isBag) price = rate.plus(new D(spec.priceCents % 100).div(100)).plus("0.01");
        // A line worth less than half a cent rounds to 0.00 and is (rightly) refused: keep lines worth ≥ 0.01.
        if (cents(quantity.times(price)).isZero()) price = new D(10);
        const subtotal = cents(quantity.times(price));
        const bagTax = isBag ? quantity.times(rate) : new D(0);
        let discount = new D(0);
        if (!isBag && spec.discount === "free") discount = subtotal;
        if (spec.discount === "some") {
          const room = subtotal.minus(taxesIncluded ? bagTax : 0);
          discount = cents(room.times(spec.discountShare)).clamp(0, room);
        }
        const total = subtotal.minus(discount);
        linesTotal = linesTotal.plus(total);
        discountable = discountable.plus(total.minus(taxesIncluded ? bagTax : 0));
        return {
          id: index + 1,
          object: "line",
          name: isBag ? "Bolsa plástica" : `Producto ${index + 1}`,
          sku: isBag ? BAG_SKU : `SKU-${index + 1}`,
          quantity: spec.asString ? quantity.toString() : quantity.toNumber(),
          price: asAmount(price, spec.asString),
          subtotal: asAmount(subtotal, !spec.asString),
          discounts_total: asAmount(discount, spec.asString),
          discount_allocations: discount.isZero() ? [] : [{ discount_id: 1, amount: discount.toFixed(2) }],
          total: asAmount(total, spec.asString),
        };
      });
      const orderDiscount = cents(discountable.times(orderDiscountShare)).clamp(0, discountable);
      const shipping = new D(shippingCents).div(100);
      const shippingDiscount = cents(shipping.times(shippingDiscountShare)).clamp(0, shipping);
      const subtotal = linesTotal.minus(orderDiscount);
      const total = subtotal.plus(shipping).minus(shippingDiscount);
      const placed = `${year}-06-15T15:00:00.000Z`;
      const order: Record<string, unknown> = {
        id,
        object: "order",
        currency_code: currency,
        payment_status: "paid",
        billing_details: invoice
          ? {
              company: "Kalagreen Sac",
              document_type: "ruc",
              document_number: "20601373034",
              receipt_type: "invoice",
            }
          : {
              first_name: "Manuel",
              last_name: "Cornejo",
              document_type: "dni",
              document_number: "48765432",
              phone: 991231231,
            },
        lines: orderLines,
        discount_applications: [],
        discounts_total: orderDiscount.toFixed(2),
        shipping_discounts_total: shippingDiscount.toNumber(),
        taxes_included: taxesIncluded,
        lines_total: linesTotal.toFixed(2),
        subtotal: subtotal.toNumber(),
        shipping_total: shipping.toFixed(2),
        total: total.toFixed(2),
        placed,
        created: placed,
      };
      return { order, taxesIncluded, year, total: total.toFixed(2) };
    },
  );
