import { describe, expect, it } from "vitest";
import { AceleralaError } from "../../../lib/acelerala/errors";
import type { AceleralaOrder } from "../../../lib/acelerala/schemas";
import { type ConsoleDeps, CSRF_COOKIE, createConsoleApp } from "../../../lib/console/app";
import { PROXY_ORIGIN_HEADER } from "../../../lib/console/proxy-origin";
import type { EventReference } from "../../../lib/queue/order-events";
import type { OrderKey, ReceiptRecord } from "../../../lib/store/receipt-record";

// The console's routes with fake collaborators (no servers): what each page shows, and what is refused. The
// real pages against the whole local stack, in a real browser, are in test/integration/browser.

const HOST = "127.0.0.1:3001";
const ORIGIN = `http://${HOST}`;
const TOKEN = "a".repeat(43);

function order(id: number, overrides: Record<string, unknown> = {}): AceleralaOrder {
  return {
    id,
    payment_status: "paid",
    currency_code: "PEN",
    total: "59.00",
    created: `2026-11-21T15:${String(id % 60).padStart(2, "0")}:00.000Z`,
    placed: "2026-11-21T15:00:00.000Z",
    billing_details: {
      first_name: "Rosa",
      last_name: "Mendoza",
      email: "rosa@correo.pe",
      receipt_type: "ticket",
      document_number: "48765432",
    },
    shipping_address: { city: "Arequipa" },
    ...overrides,
  } as AceleralaOrder;
}

function accepted(orderId: number): ReceiptRecord {
  return {
    storeId: 511,
    orderId,
    state: "ACCEPTED",
    createdAt: "2026-11-21T15:00:00.000Z",
    updatedAt: "2026-11-21T15:01:00.000Z",
    documentTypeCode: "03",
    documentNumber: `B001-${orderId}`,
    currencyCode: "PEN",
    grossTotal: "59.00",
    issueDate: "2026-11-21",
    sunatCode: "0",
    sunatMessage: `La Boleta numero B001-${orderId}, ha sido aceptada`,
    xmlUrl: `https://files.example/${orderId}.xml`,
    pdfUrl: `https://files.example/${orderId}.pdf`,
    cdrUrl: `https://files.example/${orderId}.zip`,
    history: [{ at: "2026-11-21T15:00:00.000Z", from: "NONE", to: "ACCEPTED", why: "API holds receipt" }],
  };
}

/** A store of 120 orders (ids 1001–1120); every third has an accepted receipt; 1005 is NEEDS_ATTENTION. */
function fakes(overrides: Partial<ConsoleDeps> = {}) {
  const orders = Array.from({ length: 120 }, (_, i) => order(1001 + i));
  const records = new Map<number, ReceiptRecord>();
  for (const o of orders) if (Number(o.id) % 3 === 0) records.set(Number(o.id), accepted(Number(o.id)));
  records.set(1005, {
    ...accepted(1005),
    state: "NEEDS_ATTENTION",
    documentNumber: undefined,
    grossTotal: undefined,
    sunatCode: undefined,
    sunatMessage: undefined,
    xmlUrl: undefined,
    pdfUrl: undefined,
    cdrUrl: undefined,
    problems: [
      {
        field: "billing_details.document_number",
        rule: "dni_invalid",
        message: "El DNI del cliente debe tener exactamente 8 dígitos.",
      },
    ],
  });
  const enqueued: EventReference[] = [];
  const listCalls: unknown[] = [];
  const deps: ConsoleDeps = {
    storeIds: [511, 612],
    api: async () => ({
      listOrders: async (params = {}) => {
        listCalls.push(params);
        const lt = (params.filters?.id as { lt?: number } | undefined)?.lt ?? Number.POSITIVE_INFINITY;
        const rows = orders.filter((o) => Number(o.id) < lt).sort((a, b) => Number(b.id) - Number(a.id));
        const limit = params.limit ?? 100;
        return { data: rows.slice(0, limit), has_more: rows.length > limit };
      },
      getOrder: async (id) => {
        const found = orders.find((o) => Number(o.id) === Number(id));
        if (!found)
          throw new AceleralaError({
            kind: "not_found",
            route: "GET /v1/orders/{id}",
            retryable: false,
            ambiguous: false,
          });
        return found;
      },
    }),
    records: {
      get: async (key: OrderKey) => records.get(key.orderId),
      notesOf: async () => [],
      summary: async (key: OrderKey) =>
        records.get(key.orderId) ??
        (key.orderId === 1001 ? { lastError: "AceleralaError: 503 server for rosa@correo.pe" } : undefined),
      markForReissue: async () => {
        throw new Error("not expected");
      },
    } as unknown as ConsoleDeps["records"],
    enqueue: async (event) => {
      enqueued.push(event);
    },
    dlq: {
      peek: async () => ({ entries: [], depth: { visible: 0, inFlight: 0 }, notReleased: 0 }),
      replay: async () => {
        throw new Error("not expected");
      },
    },
    now: () => new Date("2026-11-21T16:00:00.000Z"),
    allowedHosts: [HOST],
    ...overrides,
  };
  return { deps, enqueued, listCalls, app: createConsoleApp(async () => deps) };
}

type App = ReturnType<typeof fakes>["app"];

function get(app: App, path: string, headers: Record<string, string> = {}) {
  return app.request(path, { headers: { host: HOST, ...headers } });
}

function post(app: App, path: string, form: [string, string][], headers: Record<string, string> = {}) {
  return app.request(path, {
    method: "POST",
    body: new URLSearchParams(form).toString(),
    headers: {
      host: HOST,
      "content-type": "application/x-www-form-urlencoded",
      origin: ORIGIN,
      "sec-fetch-site": "same-origin",
      cookie: `${CSRF_COOKIE}=${TOKEN}`,
      ...headers,
    },
  });
}

/** The data-order attributes of the table's rows, in order. */
function rowIds(html: string): number[] {
  return [...html.matchAll(/<tr data-order="(\d+)"/g)].map((match) => Number(match[1]));
}

describe("the orders page", () => {
  it("shows the newest 50 orders of the store, N/A ones included, each with a checkbox and a link", async () => {
    const { app } = fakes();
    const response = await get(app, "/");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    const ids = rowIds(html);
    expect(ids).toHaveLength(50);
    expect(ids[0]).toBe(1120);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(html).toContain('<input type="checkbox" name="order" value="1120"');
    expect(html).toContain('href="/pedidos/1120?tienda=511"');
    for (const header of ["Pedido", "Fecha", "Estado", "Tipo de documento", "Estado en API/SUNAT", "Total"])
      expect(html).toContain(`<th>${header}</th>`.replace("<th>Total", '<th class="numero">Total'));
    expect(html).toMatch(/<tr data-order="1119">.*<span class="estado estado-none">N\/A<\/span>/s);
    expect(html).toMatch(/<tr data-order="1119">.*Boleta<\/td>/s);
    expect(html).toMatch(/<tr data-order="1119">.*S\/59\.00/s);
    expect(html).toMatch(/<tr data-order="1116">.*Boleta B001-1116.*ACEPTADO.*>XML<\/a>/s);
    // Names and cities from the order; never a document number or an e-mail.
    expect(html).toContain("Rosa Mendoza");
    expect(html).toContain("Arequipa");
    expect(html).not.toMatch(/48765432|rosa@correo/);
    // The next page starts below the last order shown.
    expect(html).toContain('href="/?tienda=511&amp;antes=1071"');
    // htmx from the console itself, never from a CDN.
    expect(html).toContain('<script src="/static/htmx.min.js" defer=""></script>');
    expect(html).not.toMatch(/https?:\/\/(unpkg|cdn|jsdelivr)/);
  });

  it("filters by state (N/A, ATENCIÓN…) and pages through the rest, and finds one order by its number", async () => {
    const { app } = fakes();
    const attention = rowIds(await (await get(app, "/?estado=ATENCION")).text());
    expect(attention).toEqual([1005]);
    const none = rowIds(await (await get(app, "/?estado=N/A")).text());
    expect(none.every((id) => id % 3 !== 0 && id !== 1005)).toBe(true);
    expect(none).toHaveLength(50);
    const next = rowIds(await (await get(app, "/?antes=1071")).text());
    expect(next[0]).toBe(1070);
    expect(rowIds(await (await get(app, "/?pedido=%231010")).text())).toEqual([1010]);
    const missing = await (await get(app, "/?pedido=99")).text();
    expect(rowIds(missing)).toEqual([]);
    expect(missing).toContain("No existe el pedido 99.");
  });

  it("passes a date range to the API as created filters, and names a bad date without listing anything", async () => {
    const { app, listCalls } = fakes();
    await get(app, "/?desde=2026-11-01&hasta=2026-11-21");
    expect(listCalls[0]).toMatchObject({
      sort: "id:desc",
      filters: { created: { gte: "2026-11-01T05:00:00.000Z", lt: "2026-11-22T05:00:00.000Z" } },
    });
    const bad = await get(app, "/?desde=2026-13-45");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Desde: 2026-13-45 no es una fecha del calendario");
    expect(listCalls).toHaveLength(1);
  });

  it("refuses a store that is not configured, and a Host that is not the console's", async () => {
    const { app } = fakes();
    const store = await get(app, "/?tienda=999");
    expect(store.status).toBe(400);
    expect(await store.text()).toContain("La tienda 999 no está configurada");
    const rebinding = await get(app, "/", { host: "evil.example:3001" });
    expect(rebinding.status).toBe(421);
  });

  it("sets the CSRF cookie (HttpOnly, SameSite=Strict) and repeats it in every form", async () => {
    const { app } = fakes();
    const response = await get(app, "/");
    const cookie = response.headers.get("set-cookie") ?? "";
    const token = /cpe_csrf=([^;]+)/.exec(cookie)?.[1] ?? "";
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(await response.text()).toContain(`<input type="hidden" name="csrf" value="${token}"/>`);
    // A browser that has the cookie keeps it.
    const again = await get(app, "/", { cookie: `${CSRF_COOKIE}=${TOKEN}` });
    expect(again.headers.get("set-cookie")).toBeNull();
    expect(await again.text()).toContain(`value="${TOKEN}"`);
  });
});

describe("POST /send", () => {
  it("sends each selected order through the resend path and reports each one", async () => {
    const { app, enqueued } = fakes();
    const response = await post(app, "/send", [
      ["csrf", TOKEN],
      ["tienda", "511"],
      ["order", "1001"],
      ["order", "1002"],
      ["order", "1003"],
      ["order", "5000"],
    ]);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(enqueued.map((event) => event.orderId)).toEqual([1001, 1003]);
    expect(enqueued[0]).toMatchObject({ storeId: 511, type: "orders.updated.placed" });
    expect(html).toMatch(/#1001<\/a>.*EN COLA.*en cola para emitir \(no tenía comprobante\)/s);
    expect(html).toMatch(/#1002<\/a>.*YA EMITIDO.*ya emitido \(B001-1002\)/s);
    expect(html).toMatch(/#5000<\/a>.*FALLÓ.*Acelérala no tiene este pedido/s);
    expect(html).toContain("4 pedidos: 2 en cola, 1 ya emitidos, 0 requieren revisión, 1 fallaron.");
  });

  it("asks for a selection when none is given, and refuses an id that is not one", async () => {
    const { app, enqueued } = fakes();
    const none = await post(app, "/send", [["csrf", TOKEN]]);
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Seleccione al menos un pedido");
    const bad = await post(app, "/send", [
      ["csrf", TOKEN],
      ["order", "1001; DROP"],
    ]);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Pedido debe ser un número entero positivo");
    const tooMany = await post(app, "/send", [
      ["csrf", TOKEN],
      ...Array.from({ length: 101 }, (_, index): [string, string] => ["order", String(2000 + index)]),
    ]);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain("Seleccione como máximo 100 pedidos por envío.");
    expect(enqueued).toEqual([]);
  });

  it("refuses a form posted from another site, whatever it carries", async () => {
    const { app, enqueued } = fakes();
    const crossSite = await post(
      app,
      "/send",
      [
        ["csrf", TOKEN],
        ["order", "1001"],
      ],
      {
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
      },
    );
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toMatch(/Solicitud rechazada: viene de otro sitio/);
    // An old browser that sends neither header: the token must match the cookie.
    const noHeaders = await post(
      app,
      "/send",
      [
        ["csrf", "b".repeat(43)],
        ["order", "1001"],
      ],
      {
        origin: ORIGIN,
        "sec-fetch-site": "same-origin",
      },
    );
    expect(noHeaders.status).toBe(403);
    expect(await noHeaders.text()).toContain("código de seguridad");
    const noCookie = await app.request("/send", {
      method: "POST",
      body: new URLSearchParams([
        ["csrf", TOKEN],
        ["order", "1001"],
      ]).toString(),
      headers: { host: HOST, "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
    });
    expect(noCookie.status).toBe(403);
    expect(enqueued).toEqual([]);
  });

  it("trusts the signing proxy's origin only when told to (on AWS, behind IAM)", async () => {
    const proxied = (deps: Partial<ConsoleDeps>) =>
      post(
        fakes({ ...deps, allowedHosts: undefined }).app,
        "/send",
        [
          ["csrf", TOKEN],
          ["order", "1001"],
        ],
        {
          host: "abc.lambda-url.us-east-1.on.aws",
          origin: "http://127.0.0.1:3002",
          "sec-fetch-site": "none",
          [PROXY_ORIGIN_HEADER]: "http://127.0.0.1:3002",
        },
      );
    expect((await proxied({ trustProxyOrigin: true })).status).toBe(200);
    expect((await proxied({})).status).toBe(403);
  });
});

describe("the order page", () => {
  it("shows number, issue date, SUNAT code and answer, links and history, and no send button once issued", async () => {
    const { app } = fakes();
    const html = await (await get(app, "/pedidos/1002")).text();
    expect(html).toContain("Pedido #1002 — Boleta B001-1002");
    expect(html).toContain("<dt>Fecha de emisión</dt><dd>2026-11-21</dd>");
    expect(html).toContain("<dt>Código SUNAT</dt><dd>0</dd>");
    expect(html).toContain(
      "<dt>Descripción de la respuesta</dt><dd>La Boleta numero B001-1002, ha sido aceptada</dd>",
    );
    for (const kind of ["xml", "pdf", "zip"])
      expect(html).toContain(`href="https://files.example/1002.${kind}"`);
    expect(html).toContain("API holds receipt");
    expect(html).toContain("Este pedido no tiene notas de crédito.");
    expect(html).not.toContain('action="/send"');
  });

  it("for an order without a record: N/A, why it has none (the worker's last error, masked) and a send button", async () => {
    const { app } = fakes();
    const html = await (await get(app, "/pedidos/%231001")).text();
    expect(html).toContain("N/A: nunca se envió al API");
    expect(html).toContain("AceleralaError: 503 server for r***@correo.pe");
    expect(html).toContain('<input type="hidden" name="order" value="1001"/>');
    expect(html).toContain("Enviar documento al API");
  });

  it("shows the problems to fix; answers 404 for an order nobody knows and 400 for a bad id", async () => {
    const { app } = fakes();
    const html = await (await get(app, "/pedidos/1005")).text();
    expect(html).toContain(
      "billing_details.document_number [dni_invalid]: El DNI del cliente debe tener exactamente 8 dígitos.",
    );
    expect((await get(app, "/pedidos/999999")).status).toBe(404);
    expect((await get(app, "/pedidos/abc")).status).toBe(400);
  });
});

describe("the DLQ page", () => {
  const entry = {
    messageId: "m-1",
    storeId: "511",
    orderId: "1001",
    eventType: "orders.created.placed",
    receiveCount: 5,
    sentAt: "2026-11-21T15:00:00.000Z",
  };

  it("lists what is there and why, and offers a dry run first", async () => {
    const { app } = fakes({
      dlq: {
        peek: async () => ({ entries: [entry], depth: { visible: 1, inFlight: 0 }, notReleased: 0 }),
        replay: async () => {
          throw new Error("not expected");
        },
      },
    });
    const html = await (await get(app, "/dlq")).text();
    expect(html).toMatch(/<a href="\/pedidos\/1001\?tienda=511">#1001<\/a>/);
    expect(html).toContain("sin registro");
    expect(html).toContain("AceleralaError: 503 server for r***@correo.pe");
    expect(html).toContain('<input type="hidden" name="dry_run" value="1"/>');
    expect(html).toContain("Simular reenvío (no mueve nada)");
  });

  it("replays only after a dry run, and never more than the dry run showed", async () => {
    const calls: unknown[] = [];
    const { app } = fakes({
      dlq: {
        peek: async () => ({ entries: [entry], depth: { visible: 1 }, notReleased: 0 }),
        replay: async (options) => {
          calls.push(options);
          const kind = options.dryRun ? ("would-move" as const) : ("moved" as const);
          return {
            moved: options.dryRun ? 0 : 1,
            wouldMove: options.dryRun ? 1 : 0,
            skipped: 0,
            failed: 0,
            notReleased: 0,
            outcomes: [{ kind, entry }],
          };
        },
      },
    });
    const dry = await (
      await post(app, "/dlq/replay", [
        ["csrf", TOKEN],
        ["dry_run", "1"],
      ])
    ).text();
    expect(dry).toContain("Simulación: 1 mensaje se movería a la cola principal");
    expect(dry).toContain('<input type="hidden" name="max" value="1"/>');
    expect(dry).toContain("Reenviar 1 mensaje a la cola");
    const refused = await post(app, "/dlq/replay", [
      ["csrf", TOKEN],
      ["dry_run", "0"],
    ]);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Primero simule el reenvío");
    const real = await (
      await post(app, "/dlq/replay", [
        ["csrf", TOKEN],
        ["dry_run", "0"],
        ["max", "1"],
      ])
    ).text();
    expect(real).toContain("Reenvío: 1 mensaje movido a la cola principal, 0 fallaron.");
    expect(calls).toEqual([{ dryRun: true }, { dryRun: false, max: 1 }]);
  });
});

describe("static files and errors", () => {
  it("serves htmx and the stylesheet itself", async () => {
    const { app } = fakes();
    const htmx = await get(app, "/static/htmx.min.js");
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await htmx.text()).length).toBeGreaterThan(10_000);
    expect((await get(app, "/static/console.css")).headers.get("content-type")).toMatch(/^text\/css/);
  });

  it("answers an outage with a page that names it, without a stack trace", async () => {
    const { app } = fakes({
      api: async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:9");
      },
    });
    const response = await get(app, "/");
    expect(response.status).toBe(500);
    const html = await response.text();
    expect(html).toContain("No se pudo completar la solicitud: Error: connect ECONNREFUSED 127.0.0.1:9");
    expect(html).not.toMatch(/\bat \S+:\d+:\d+/);
  });
});
