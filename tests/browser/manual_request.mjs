// Uploads a request file on ManualRequest.aspx in the system's headless Chromium and
// saves the response shown on the result page (wire.md §7.2, issue 7).
//
// usage: node manual_request.mjs BASE_URL REQUEST_FILE RESPONSE_FILE
// Exit 0 with the response written; 1 with the page's error code on stderr.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [base, requestFile, responseFile] = process.argv.slice(2);
if (!base || !requestFile || !responseFile) {
  console.error("usage: node manual_request.mjs BASE_URL REQUEST_FILE RESPONSE_FILE");
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), "unlockd-chromium-"));
// A fresh profile directory (--user-data-dir) per run.
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  // No JavaScript on our side: the page must work as plain HTML.
  javaScriptEnabled: false,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
let code = 1;
try {
  const page = await context.newPage();
  await page.goto(`${base}/solo/customers/ManualRequest.aspx`);
  await page.setInputFiles("#requestFile", requestFile);
  await Promise.all([page.waitForNavigation(), page.click("#submit")]);
  const shown = await page.textContent("#code");
  if (shown !== "0") {
    console.error(`${shown} ${await page.textContent("#message")}`);
  } else {
    const response = await page.inputValue("#response");
    const href = await page.getAttribute("#download", "href");
    const download = await page.getAttribute("#download", "download");
    const fromLink = Buffer.from(href.split(",", 2)[1], "base64").toString("utf8");
    if (download !== "ManualResponse.xml" || fromLink !== response) {
      console.error("download link does not carry the shown response");
    } else {
      writeFileSync(responseFile, response);
      code = 0;
    }
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(code);
