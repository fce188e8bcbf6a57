import { crc32 } from "node:zlib";
import type { StoredReceipt } from "./state";

/**
 * Plausible stand-ins for the files Acelérala hosts per receipt: the UBL XML, the PDF and the CDR (a zip holding
 * SUNAT's ApplicationResponse). Enough for a client to download, check the content type and read the answer.
 */

export type ServedFile = { contentType: string; body: Buffer; fileName: string };

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function field(receipt: StoredReceipt, name: string): string {
  const value = receipt[name];
  return value === null || value === undefined ? "" : escapeXml(String(value));
}

function renderInvoiceXml(receipt: StoredReceipt): Buffer {
  const currency = field(receipt, "currency_code");
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:CustomizationID>2.0</cbc:CustomizationID>
  <cbc:ID>${escapeXml(receipt.document_number)}</cbc:ID>
  <cbc:IssueDate>${receipt.created.slice(0, 10)}</cbc:IssueDate>
  <cbc:InvoiceTypeCode listID="${field(receipt, "operation_code")}">${escapeXml(receipt.document_type_code)}</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>${currency}</cbc:DocumentCurrencyCode>
  <cbc:TaxAmount currencyID="${currency}">${field(receipt, "taxes_total")}</cbc:TaxAmount>
  <cbc:PayableAmount currencyID="${currency}">${field(receipt, "gross_total")}</cbc:PayableAmount>
</Invoice>
`);
}

/** A Nota de crédito is a UBL CreditNote: the document it modifies and its motive (Catálogo 09). */
function renderCreditNoteXml(receipt: StoredReceipt): Buffer {
  const currency = field(receipt, "currency_code");
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:CustomizationID>2.0</cbc:CustomizationID>
  <cbc:ID>${escapeXml(receipt.document_number)}</cbc:ID>
  <cbc:IssueDate>${receipt.created.slice(0, 10)}</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>${currency}</cbc:DocumentCurrencyCode>
  <cac:DiscrepancyResponse>
    <cbc:ReferenceID>${field(receipt, "affected_document_number")}</cbc:ReferenceID>
    <cbc:ResponseCode>${field(receipt, "note_motive_code")}</cbc:ResponseCode>
    <cbc:Description>${field(receipt, "note_motive_description")}</cbc:Description>
  </cac:DiscrepancyResponse>
  <cac:BillingReference>
    <cac:InvoiceDocumentReference>
      <cbc:ID>${field(receipt, "affected_document_number")}</cbc:ID>
      <cbc:DocumentTypeCode>${field(receipt, "affected_document_type_code")}</cbc:DocumentTypeCode>
    </cac:InvoiceDocumentReference>
  </cac:BillingReference>
  <cbc:TaxAmount currencyID="${currency}">${field(receipt, "taxes_total")}</cbc:TaxAmount>
  <cbc:PayableAmount currencyID="${currency}">${field(receipt, "gross_total")}</cbc:PayableAmount>
</CreditNote>
`);
}

const PDF_TITLES: Record<string, string> = {
  "01": "FACTURA ELECTRONICA",
  "03": "BOLETA ELECTRONICA",
  "07": "NOTA DE CREDITO ELECTRONICA",
};

function renderPdf(receipt: StoredReceipt): Buffer {
  const text = `${PDF_TITLES[receipt.document_type_code] ?? "COMPROBANTE ELECTRONICO"} ${receipt.document_number}`;
  const stream = `BT /F1 14 Tf 72 720 Td (${text.replace(/[()\\]/g, "")}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let pdf = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, "0")} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, "latin1");
}

function renderApplicationResponse(receipt: StoredReceipt): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<ApplicationResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ResponseDate>${receipt.modified.slice(0, 10)}</cbc:ResponseDate>
  <cac:DocumentResponse>
    <cac:Response>
      <cbc:ReferenceID>${escapeXml(receipt.document_number)}</cbc:ReferenceID>
      <cbc:ResponseCode>${field(receipt, "sunat_code")}</cbc:ResponseCode>
      <cbc:Description>${field(receipt, "sunat_message")}</cbc:Description>
    </cac:Response>
  </cac:DocumentResponse>
</ApplicationResponse>
`);
}

/** A one-entry zip archive, stored (no compression): local header, data, central directory, end record. */
export function zipSingleFile(name: string, content: Buffer): Buffer {
  const fileName = Buffer.from(name, "utf8");
  const checksum = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt32LE(checksum, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(checksum, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  const centralOffset = local.length + fileName.length + content.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, content, central, fileName, end]);
}

/** `name` is the last path segment: `{id}.xml`, `{id}.pdf`, `{id}-mobile.pdf` or `{id}.zip` (CDR). */
export function serveReceiptFile(
  name: string,
  findReceipt: (id: number) => StoredReceipt | undefined,
): ServedFile | null {
  const match = /^(\d+)(\.xml|\.pdf|-mobile\.pdf|\.zip)$/.exec(name);
  if (!match?.[1] || !match[2]) return null;
  const receipt = findReceipt(Number(match[1]));
  if (!receipt) return null;
  const base = receipt.document_number;
  switch (match[2]) {
    case ".xml":
      return {
        contentType: "application/xml",
        body: receipt.document_type_code === "07" ? renderCreditNoteXml(receipt) : renderInvoiceXml(receipt),
        fileName: `${base}.xml`,
      };
    case ".pdf":
    case "-mobile.pdf":
      return { contentType: "application/pdf", body: renderPdf(receipt), fileName: `${base}.pdf` };
    default:
      // No CDR until SUNAT has answered.
      if (receipt.sunat_acknowledged !== 1) return null;
      return {
        contentType: "application/zip",
        body: zipSingleFile(`R-${base}.xml`, renderApplicationResponse(receipt)),
        fileName: `R-${base}.zip`,
      };
  }
}
