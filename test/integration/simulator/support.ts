/** Shared helpers for the simulator's tests: token, JSON calls, and receipt bodies shaped like the seed's. */

export type ApiResponse = { status: number; body: Record<string, unknown>; headers: Headers };

export async function requestToken(
  baseUrl: string,
  clientId = "demo-client",
  clientSecret = "demo-secret",
): Promise<ApiResponse> {
  const response = await fetch(`${baseUrl}/v1/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

export async function bearerToken(
  baseUrl: string,
  clientId?: string,
  clientSecret?: string,
): Promise<string> {
  const { status, body } = await requestToken(baseUrl, clientId, clientSecret);
  if (status !== 200 || typeof body.access_token !== "string")
    throw new Error(`token request failed: ${status}`);
  return body.access_token;
}

export async function call(
  baseUrl: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<ApiResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

/** The seed's accepted Factura (gross 40.00 = net 33.90 + IGV 6.10), as a POST /v1/receipts body. */
export function facturaBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    order_id: null,
    document_type_code: "01",
    series: "F001",
    currency_code: "PEN",
    operation_code: "0101",
    items_net_total: "33.90",
    taxable_total: "33.90",
    exempt_total: "0.00",
    unaffected_total: "0.00",
    sales_tax_total: "6.10",
    net_total: "33.90",
    taxes_total: "6.10",
    gross_total: "40.00",
    global_discounts: [],
    legends: [{ code: 1000, value: "SON CUARENTA CON 00/100 SOLES" }],
    customer_information: {
      name: "Kalagreen Sac",
      document_type: "ruc",
      document_type_code: "6",
      document_number: "20601373034",
    },
    items: [
      {
        name: "Plan Crece Mensual",
        sunat_product_code: "81112100",
        unit: "ZZ",
        quantity: 1,
        sales_tax_rate: 18,
        sales_tax_code: "10",
        net_unit_price: "33.90",
        net_subtotal: "33.90",
        net_discounts_total: "0.00",
        net_total: "33.90",
        taxable_total: "33.90",
        sales_tax_total: "6.10",
        gross_unit_price: "40.00",
        gross_total: "40.00",
      },
    ],
    ...overrides,
  };
}

/** A Boleta for `gross` (IGV included) with one line, the customer identified as given. */
export function boletaBody(
  gross: string,
  customer: Record<string, unknown> = { name: "Cliente", document_type_code: "-", document_number: "-" },
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const grossCents = Math.round(Number(gross) * 100);
  const netCents = Math.round(grossCents / 1.18);
  const net = (netCents / 100).toFixed(2);
  const igv = ((grossCents - netCents) / 100).toFixed(2);
  return facturaBody({
    document_type_code: "03",
    series: "B001",
    items_net_total: net,
    taxable_total: net,
    sales_tax_total: igv,
    net_total: net,
    taxes_total: igv,
    gross_total: gross,
    customer_information: customer,
    items: [
      {
        name: "Zapatillas",
        sunat_product_code: "53111600",
        unit: "NIU",
        quantity: 1,
        sales_tax_rate: 18,
        sales_tax_code: "10",
        net_unit_price: net,
        net_discounts_total: "0.00",
        net_total: net,
        taxable_total: net,
        sales_tax_total: igv,
        gross_unit_price: gross,
        gross_total: gross,
      },
    ],
    ...overrides,
  });
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
