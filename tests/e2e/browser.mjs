// Shared set-up for the end-to-end tests: Debian's Chromium driven by playwright-core (installed by
// `cargo xtask setup` outside the clone), a phone context, and the demo server's address.
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const tools = process.env.ACCUEIL_TOOLS_DIR;
if (!tools || !process.env.ACCUEIL_URL) {
  throw new Error("run these through `cargo xtask test`, which starts the server and sets ACCUEIL_URL");
}
const { chromium } = createRequire(path.join(tools, "package.json"))("playwright-core");

export const BASE = process.env.ACCUEIL_URL;
export const OUT = process.env.ACCUEIL_E2E_OUT || ".";
/** Where the server's mail transport drops messages (.eml files). */
export const MAIL_DIR = process.env.ACCUEIL_MAIL_DIR;
export const AGENT = { email: process.env.ACCUEIL_AGENT_EMAIL, password: process.env.ACCUEIL_AGENT_PASSWORD };

export async function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** An iPhone-12-sized phone context speaking French. */
export function phone(browser, options = {}) {
  return browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: "fr-FR", ...options,
  });
}

/** The widget's frame, found by the iframe's accessible name. */
export function widgetFrame(page, title = "Aide et contact") {
  return page.frameLocator(`iframe[title="${title}"]`);
}

/** Opens the demo page in a new page of `context`, taps the launcher and then "Discuter avec nous":
 * the page and the widget's frame, on the chat. */
export async function openChat(context, base = BASE) {
  const page = await context.newPage();
  await page.goto(base + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("button", { name: /^Discuter avec nous/ }).tap();
  return { page, frame };
}

/** Whether `locator`'s element has focus inside its own document or shadow root. */
export function isFocused(locator) {
  return locator.evaluate((el) => el.getRootNode().activeElement === el);
}

/** Polls `check` every `every` ms until it is true or `ms` pass. */
export async function eventually(check, ms = 5000, every = 50) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return false;
}

/** Signs `agent` (the demo agent unless said) in to the console (of `base`, the test's server unless
 * said) in a new page of `context`; resolves on the heading of the first section (`landing`: the inbox
 * unless said; an editor's console opens on the FAQ). */
/** The link of `kind` ("invitation", "reset") in the `count`th mail to `to` (1 for the first), waiting up
 * to 10 s for the mail to land in the pickup folder. */
export async function mailedLink(to, kind, count = 1) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mails = fs.readdirSync(MAIL_DIR).filter((name) => name.endsWith(".eml"))
      .map((name) => path.join(MAIL_DIR, name))
      .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs)
      .map((file) => fs.readFileSync(file, "utf8"))
      .filter((mail) => mail.includes(`To: ${to}\r\n`));
    if (mails.length >= count) {
      // The text part is base64: decode every part and look for the link.
      const text = mails[count - 1].split("\r\n\r\n").map((part) => {
        const base64 = part.split("\r\n").filter((line) => /^[A-Za-z0-9+/=]+$/.test(line)).join("");
        return Buffer.from(base64, "base64").toString("utf8");
      }).join("\n");
      const link = text.match(new RegExp(`https?://\\S+/console/#${kind}=[A-Za-z0-9_-]+`));
      assert.ok(link, `a ${kind} link in the mail to ${to}`);
      return link[0];
    }
    assert.ok(Date.now() < deadline, `no mail to ${to} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function signIn(context, base = BASE, agent = AGENT, landing = "Boîte de réception") {
  const page = await context.newPage();
  await page.goto(base + "/console/");
  await page.getByLabel("Adresse e-mail").fill(agent.email);
  await page.getByLabel("Mot de passe").fill(agent.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("heading", { name: landing, level: 1 }).waitFor();
  return page;
}

const AXE = fs.readFileSync(path.join(tools, "node_modules/axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** Runs axe (WCAG 2.0-2.2, A and AA) in `frame` (a Playwright Frame); fails on any violation, whatever
 * its impact, and prints what axe could not decide alone ("needs review") for a person to look at. */
export async function audit(frame, name) {
  // evaluate() goes through the DevTools protocol, which the pages' strict CSP does not restrict.
  await frame.evaluate(AXE);
  const result = await frame.evaluate((tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }), TAGS);
  const describe = (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " -> " + n.failureSummary).join("\n  ")}`;
  for (const item of result.incomplete) {
    console.log(`axe needs review, ${name}: ${item.id}: ${item.help} (${item.nodes.length} element(s))`);
  }
  assert.deepEqual(result.violations.map(describe), [], `${name}: accessibility violations`);
}
