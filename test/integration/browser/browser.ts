import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { onTestFailed } from "vitest";

/**
 * Debian's Chromium (`apt-get install -y chromium`) driven by playwright-core: no browser is downloaded. Each
 * context gets a fresh profile directory, removed on close. CHROMIUM_PATH points elsewhere if needed.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Where a failing test leaves its screenshot. */
export const FAILURE_SCREENSHOTS = join(process.cwd(), ".cache", "browser-failures");

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function openBrowser(options: { javaScriptEnabled?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "cpe-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1400, height: 900 },
      locale: "es-PE",
      timezoneId: "America/Lima",
      javaScriptEnabled: options.javaScriptEnabled ?? true,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(
      `Chromium did not start from ${CHROMIUM_PATH} (install it with \`apt-get install -y chromium\`, or set CHROMIUM_PATH): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Call at the start of a test: if it fails, the page as it was is saved under FAILURE_SCREENSHOTS. */
export function screenshotOnFailure(page: Page, name: string): void {
  onTestFailed(async () => {
    mkdirSync(FAILURE_SCREENSHOTS, { recursive: true });
    const path = join(FAILURE_SCREENSHOTS, `${name.replace(/[^\w-]+/g, "-")}.png`);
    await page.screenshot({ path, fullPage: true }).catch(() => {});
    process.stderr.write(`browser test "${name}" failed: screenshot in ${path}\n`);
  });
}
