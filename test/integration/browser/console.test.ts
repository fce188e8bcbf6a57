import { resolve } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from "../../../infra/local/aws-local-constants";
import { type LocalStack, startLocalStack } from "../../../infra/local/stack";
import { makeBrokenOrder, makeOrder } from "../../../infra/simulator/order-factory";
import { enqueueOrderEvent } from "../../../lib/queue/order-events";
import { createReceiptStore } from "../../../lib/runtime";
import type { ReceiptState } from "../../../lib/store/receipt-record";
import { expectOf, noteKey, type ReceiptStore } from "../../../lib/store/receipt-store";
import { localAwsEnv } from "../../support/local-stack";
import { type Browser, openBrowser, screenshotOnFailure } from "./browser";

// The merchant's console in a real browser (Debian's Chromium through playwright-core) against the whole local
// pipeline: the console is the real handler behind the local Function URL server, as `npm start` serves it;
// orders go through the simulator, the receiver, the queue and the worker. SUNAT answers within the POST.
//
// The store holds, newest first: three orders whose webhooks were lost (N/A), one that breaks a rule (ATENCIÓN)
// and four accepted ones, the oldest with a credit note. One lost order's event waits in the DLQ.

const STORE = 511;
let stack: LocalStack;
let store: ReceiptStore;
let consoleUrl: string;
let browser: Browser;
const accepted: number[] = [];
let broken: number;
const missing: number[] = [];

function recordState(orderId: number): Promise<ReceiptState | undefined> {
  return store.get({ storeId: STORE, orderId }).then((record) => record?.state);
}

/** Polls the order's record until it is in `state`; throws after `timeout` ms (usable in hooks too). */
async function waitForState(orderId: number, state: ReceiptState, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: ReceiptState | undefined;
  while (Date.now() < deadline) {
    last = await recordState(orderId);
    if (last === state) return;
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  throw new Error(`order ${orderId} is ${last ?? "without a record"} after ${timeout} ms, not ${state}`);
}

/** The table row of an order (its checkbox's value is the order id). */
function row(orderId: number) {
  return browser.page.locator(`tr[data-order="${orderId}"]`);
}

beforeAll(async () => {
  stack = await startLocalStack({
    emulators: { env: localAwsEnv(), namePrefix: `browser-${process.pid}`, visibilityTimeoutSeconds: 2 },
    consolePort: 0,
    sunatDelayMs: 0,
    cdrPollSeconds: 0.5,
    cdrPollBaseSeconds: 0.5,
    workerRetryBaseSeconds: 0.2,
    aceleralaTimeoutSeconds: 1.5,
    receiptLookupDelaySeconds: 2,
  });
  consoleUrl = stack.consoleUrl ?? "";
  store = createReceiptStore({ region: LOCAL_AWS_REGION, tableName: stack.env.TABLE_NAME ?? "" });
  const place = (seed: number, kind: "boleta" | "factura") =>
    Number(stack.simulator.createOrder(makeOrder(seed, {}, { documentKind: kind, currency: "PEN" })).id);

  for (const [index, kind] of (["factura", "boleta", "factura", "boleta"] as const).entries())
    accepted.push(place(8_100 + index, kind));
  broken = Number(stack.simulator.createOrder(makeBrokenOrder("factura_invalid_ruc_check_digit", 8_200)).id);
  for (const orderId of accepted) await waitForState(orderId, "ACCEPTED");
  await waitForState(broken, "NEEDS_ATTENTION");

  // The webhook sender goes down: these orders never reach the receiver.
  stack.simulator.setDeliveryConfig({ drop: true });
  for (const index of [0, 1, 2]) missing.push(place(8_300 + index, index === 1 ? "factura" : "boleta"));

  // A refund on the oldest accepted order: its credit note, as the worker records one.
  const saleKey = { storeId: STORE, orderId: accepted[0] ?? 0 };
  const sale = await store.get(saleKey);
  const key = noteKey(saleKey, "refund-1");
  const facts = {
    documentTypeCode: "07",
    currencyCode: "PEN",
    grossTotal: "10.00",
    issueDate: sale?.issueDate ?? "2026-01-01",
    noteMotive: "09",
    affectedDocumentNumber: sale?.documentNumber ?? "",
    noteReason: "refund transaction 501",
  };
  const reserved = await store.reserve({
    key,
    expect: expectOf(undefined),
    series: "FC01",
    facts,
    now: new Date(),
  });
  await store.land(
    key,
    expectOf(reserved),
    {
      ...facts,
      receiptId: 990_001,
      series: "FC01",
      correlative: reserved.correlative ?? 1,
      sunatAnswer: {
        outcome: "accepted",
        sunatCode: "0",
        sunatMessage: `La Nota de crédito numero FC01-${reserved.correlative}, ha sido aceptada`,
        xmlUrl: `${stack.simulator.url}/files/note.xml`,
        pdfUrl: `${stack.simulator.url}/files/note.pdf`,
        cdrUrl: `${stack.simulator.url}/files/note.zip`,
      },
      xmlUrl: `${stack.simulator.url}/files/note.xml`,
      pdfUrl: `${stack.simulator.url}/files/note.pdf`,
    },
    Date.now(),
    "API holds credit note 990001",
    new Date(),
  );

  // The third lost order's event failed five times and waits in the DLQ, with the worker's last error.
  const dlqOrder = missing[2] ?? 0;
  const sqs = new SQSClient({
    region: LOCAL_AWS_REGION,
    endpoint: stack.env.AWS_ENDPOINT_URL_SQS,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  await enqueueOrderEvent(sqs, stack.env.ORDER_EVENTS_DLQ_URL ?? "", {
    type: "orders.created.placed",
    storeId: STORE,
    orderId: dlqOrder,
    webhookId: `msg_browser_${dlqOrder}`,
    eventTime: new Date().toISOString(),
  });
  sqs.destroy();
  await store.recordError(
    { storeId: STORE, orderId: dlqOrder },
    "AceleralaError: Acelérala GET /v1/orders/{id} failed: 503 server",
    new Date(),
  );

  browser = await openBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the web console in Chromium", () => {
  it("lists every order of the store, newest first, with its state in Spanish, N/A included", async () => {
    const { page } = browser;
    screenshotOnFailure(page, "orders table");
    const response = await page.goto(consoleUrl);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.title()).toMatch(/Pedidos/);
    // htmx came from the console itself (the machine has no internet) and boosts the page's links and forms.
    await expect
      .poll(() => page.evaluate(() => typeof (globalThis as { htmx?: unknown }).htmx))
      .toBe("object");
    const headers = await page.locator("table.pedidos thead th").allInnerTexts();
    expect(headers.map((text) => text.trim())).toEqual(
      expect.arrayContaining([
        "Pedido",
        "Fecha",
        "Estado",
        "Tipo de documento",
        "Estado en API/SUNAT",
        "Total",
      ]),
    );
    const ids = (
      await page
        .locator("table.pedidos tbody tr")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-order")))
    ).map(Number);
    expect(ids).toEqual([...missing, broken, ...accepted].sort((a, b) => b - a));
    for (const orderId of missing) {
      await expect.poll(() => row(orderId).locator("td.api-sunat").innerText()).toBe("N/A");
      expect(await row(orderId).locator("td.numero").innerText()).toMatch(/^S\/\d/);
    }
    expect(await row(broken).locator("td.api-sunat").innerText()).toBe("ATENCIÓN");
    expect(await row(broken).locator("td.numero").innerText()).toMatch(/^(S\/|US\$)\d/);
    for (const orderId of accepted) {
      expect(await row(orderId).locator("td.api-sunat").innerText()).toBe("ACEPTADO");
      expect(await row(orderId).innerText()).toMatch(/(Factura F|Boleta B)\d{3}-\d+/);
      expect(await row(orderId).locator("td.enlaces-celda a").allInnerTexts()).toEqual(["XML", "PDF", "CDR"]);
    }
    // The credit note shows under its order.
    expect(
      await row(accepted[0] ?? 0)
        .locator(".nota")
        .innerText(),
    ).toMatch(/Nota de crédito FC01-\d+\s+ACEPTADO/);
    // Each row links to its order page (the href carries the order id).
    expect(
      await row(broken)
        .locator("a", { hasText: `#${broken}` })
        .getAttribute("href"),
    ).toContain(`/pedidos/${broken}`);
  });

  it("filters by state and finds an order by its number, with or without #", async () => {
    const { page } = browser;
    screenshotOnFailure(page, "filters");
    await page.goto(consoleUrl);
    await page.selectOption("select[name=estado]", "NEEDS_ATTENTION");
    await page.click("form.filtros button[type=submit]");
    await expect.poll(() => page.locator("table.pedidos tbody tr").count()).toBe(1);
    expect(await row(broken).count()).toBe(1);
    await page.goto(`${consoleUrl}?pedido=%23${accepted[1]}`);
    expect(await page.locator("table.pedidos tbody tr").count()).toBe(1);
    expect(await row(accepted[1] ?? 0).count()).toBe(1);
    await page.goto(`${consoleUrl}?desde=2026-13-45`);
    expect(await page.locator(".aviso").innerText()).toMatch(
      /Desde: 2026-13-45 no es una fecha del calendario/,
    );
  });

  it("sends two selected orders through the worker, and reports each one", async () => {
    const { page } = browser;
    screenshotOnFailure(page, "send two orders");
    const [first, second] = missing as [number, number];
    await page.goto(consoleUrl);
    await row(first).locator("input[type=checkbox]").check();
    await row(second).locator("input[type=checkbox]").check();
    await page.click("form.envio button[type=submit]");
    await expect
      .poll(() => page.locator("h1").innerText(), { timeout: 15_000 })
      .toBe("Envío de documentos al API");
    const results = await page.locator("table.resultados tbody tr").allInnerTexts();
    expect(results).toHaveLength(2);
    for (const text of results)
      expect(text).toMatch(/EN COLA\s+en cola para emitir \(no tenía comprobante\)/);
    await waitForState(first, "ACCEPTED");
    await waitForState(second, "ACCEPTED");
    // Exactly one receipt each in Acelérala.
    for (const orderId of [first, second])
      expect(
        stack.simulator.allReceipts().filter((receipt) => Number(receipt.order_id) === orderId),
      ).toHaveLength(1);
    await page.click("text=← Volver a los pedidos");
    await expect.poll(() => row(first).locator("td.api-sunat").innerText()).toBe("ACEPTADO");
    expect(await row(second).locator("td.api-sunat").innerText()).toBe("ACEPTADO");
    if (process.env.CONSOLE_SCREENSHOT)
      await page.screenshot({ path: resolve(process.env.CONSOLE_SCREENSHOT), fullPage: true });
  });

  it("shows an order's receipt: number, issue date, SUNAT code and answer, links, history, credit notes", async () => {
    const { page } = browser;
    screenshotOnFailure(page, "order page");
    const orderId = accepted[0] ?? 0;
    const record = await store.get({ storeId: STORE, orderId });
    await page.goto(consoleUrl);
    await row(orderId)
      .locator("a", { hasText: `#${orderId}` })
      .click();
    await expect
      .poll(() => page.locator("h1").innerText())
      .toContain(`Pedido #${orderId} — Factura ${record?.documentNumber}`);
    const fields = await page.locator("section dl.campos").first().innerText();
    expect(fields).toContain(`Fecha de emisión\n${record?.issueDate}`);
    expect(fields).toContain("Código SUNAT\n0");
    expect(fields).toContain(`Descripción de la respuesta\n${record?.sunatMessage}`);
    const links = page.locator("section").first().locator(".enlaces a");
    expect(await links.allInnerTexts()).toEqual(["XML", "PDF", "CDR"]);
    for (const href of await links.evaluateAll((anchors) =>
      anchors.map((a) => a.getAttribute("href") ?? ""),
    )) {
      expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
      expect((await page.request.get(href)).status()).toBe(200);
    }
    expect(await page.locator("table.historial tbody tr").count()).toBeGreaterThanOrEqual(2);
    const note = page.locator("article.nota-credito");
    expect(await note.locator("h3").innerText()).toMatch(/Nota de crédito FC01-\d+\s+ACEPTADO/);
    expect(await note.innerText()).toContain(`Modifica\n${record?.documentNumber}`);
    expect(await note.innerText()).toContain("Motivo\n09 Disminución en el valor");
    expect(await note.locator(".enlaces a").allInnerTexts()).toEqual(["XML", "PDF", "CDR"]);
    // A receipt that exists has no send button; the broken order has one, and its problems.
    expect(await page.locator("form.envio").count()).toBe(0);
    await page.goto(`${consoleUrl}pedidos/${broken}`);
    expect(await page.locator("ul.problemas").innerText()).toMatch(
      /billing_details\.document_number \[ruc_invalid\]/,
    );
    expect(await page.locator("form.envio button").innerText()).toBe("Enviar documento al API");
  });

  it("shows the dead-letter queue and why, and replays it after a dry run", async () => {
    const { page } = browser;
    screenshotOnFailure(page, "dlq");
    const orderId = missing[2] ?? 0;
    await page.goto(`${consoleUrl}dlq`);
    const dlqRow = page.locator("table.dlq tbody tr");
    await expect.poll(() => dlqRow.count()).toBe(1);
    expect(await dlqRow.innerText()).toContain(`#${orderId}`);
    expect(await dlqRow.innerText()).toContain("sin registro");
    expect(await dlqRow.locator("td.error").innerText()).toContain("503 server");
    await page.click("text=Simular reenvío (no mueve nada)");
    await expect
      .poll(() => page.locator("p.resumen").innerText(), { timeout: 15_000 })
      .toMatch(/Simulación: 1 mensaje se movería .*no se movió nada/);
    expect(await recordState(orderId)).toBeUndefined();
    await page.click("text=Reenviar 1 mensaje a la cola");
    await expect
      .poll(() => page.locator("p.resumen").innerText(), { timeout: 15_000 })
      .toMatch(/Reenvío: 1 mensaje movido/);
    await waitForState(orderId, "ACCEPTED");
    await page.goto(`${consoleUrl}dlq`);
    expect(await page.locator("p.vacio").innerText()).toBe("La cola de errores está vacía.");
  });

  it("works without JavaScript, and refuses a form posted from another site", async () => {
    const noScript = await openBrowser({ javaScriptEnabled: false });
    try {
      const { page } = noScript;
      screenshotOnFailure(page, "without javascript");
      await page.goto(`${consoleUrl}?estado=ATENCION`);
      await page.locator(`tr[data-order="${broken}"] input[type=checkbox]`).check();
      await page.click("form.envio button[type=submit]");
      await expect
        .poll(() => page.locator("table.resultados").innerText(), { timeout: 15_000 })
        .toMatch(new RegExp(`#${broken}\\s+EN COLA`));
      // A page of another origin posting to /send: the browser says where it comes from, the console refuses.
      await page.setContent(
        `<form method="post" action="${consoleUrl}send"><input name="order" value="${broken}"><input name="tienda" value="511"><button>go</button></form>`,
      );
      const [response] = await Promise.all([page.waitForNavigation(), page.click("button")]);
      expect(response?.status()).toBe(403);
      expect(await page.innerText("body")).toMatch(/Solicitud rechazada/);
    } finally {
      await noScript.close();
    }
  });
});
