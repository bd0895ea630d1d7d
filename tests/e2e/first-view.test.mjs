// The widget's first view, written by the server: readable and working with no script at all (a
// frequent question opens its answer, the language switches), then taken over by the wasm without
// losing what the visitor typed before it was ready, under the same strict policy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { BASE, OUT, audit, isFocused, launch, phone, widgetFrame } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("with no script, the first view reads, opens an answer and switches language", async () => {
  const context = await phone(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(BASE + "/widget/?site=demo&locale=fr");
  await page.getByRole("heading", { name: "Comment pouvons-nous vous aider ?", level: 1 }).waitFor();
  await page.getByRole("searchbox", { name: "Rechercher dans l'aide" }).waitFor();
  await page.getByRole("link", { name: "Discuter avec nous Un conseiller vous répond par écrit" }).waitFor();
  await page.screenshot({ path: path.join(OUT, "first-view-no-script.png") });
  await page.getByRole("link", { name: "Comment suivre ma commande ?" }).click();
  await page.getByRole("heading", { name: "Comment suivre ma commande ?", level: 1 }).waitFor();
  assert.match(await page.getByRole("article").textContent(), /suivi/i, "the answer is readable");
  await page.getByRole("link", { name: "Retour" }).click();
  // A channel's document says where the visitor is and that it is coming; back and language work.
  await page.getByRole("link", { name: "Discuter avec nous Un conseiller vous répond par écrit" }).click();
  await page.getByRole("heading", { name: "Discuter avec nous", level: 1 }).waitFor();
  assert.equal(await page.getByRole("status").textContent(), "Chargement…");
  await page.getByRole("link", { name: "English" }).click();
  await page.getByRole("heading", { name: "Chat with us", level: 1 }).waitFor();
  assert.match(page.url(), /\/widget\/chat\/\?/, "the language switch stays in the chat");
  await page.getByRole("link", { name: "Back" }).click();
  await page.getByRole("heading", { name: "How can we help?", level: 1 }).waitFor();
  await page.getByRole("link", { name: "Français" }).click();
  await page.getByRole("heading", { name: "Comment pouvons-nous vous aider ?", level: 1 }).waitFor();
  await context.close();
});

test("while the wasm cannot load, the first view is what shows, in the site's colours, and passes axe", async () => {
  const context = await phone(browser);
  await context.route(/\.wasm$/, (route) => route.abort());
  const page = await context.newPage();
  await page.goto(BASE + "/widget/?site=demo&locale=fr");
  await page.getByRole("link", { name: "Comment suivre ma commande ?" }).waitFor();
  // The site's colours, from its own stylesheet (no inline style).
  assert.equal(await page.locator("header").first().evaluate((h) => getComputedStyle(h).backgroundColor), "rgb(138, 59, 18)");
  await audit(page.mainFrame(), "first view");
  await page.goto(BASE + "/widget/?site=demo&locale=fr&entry=order-track");
  await page.getByRole("heading", { name: "Comment suivre ma commande ?", level: 1 }).waitFor();
  await audit(page.mainFrame(), "first view of an answer");
  for (const [channel, title] of [["chat", "Discuter avec nous"], ["callback", "Être rappelé"], ["community", "Communauté"], ["data", "Vos données"]]) {
    await page.goto(BASE + `/widget/${channel}/?site=demo&locale=fr`);
    await page.getByRole("heading", { name: title, level: 1 }).waitFor();
    await page.getByRole("status").filter({ hasText: "Chargement…" }).waitFor();
    await audit(page.mainFrame(), `first view of ${channel}`);
  }
  await context.close();
});

test("typed before the wasm is ready, a search is kept, searched, and the caret stays", async () => {
  const context = await phone(browser);
  // A slow network for the wasm alone: the first view must carry the visitor meanwhile.
  let releaseWasm;
  const wasmHeld = new Promise((resolve) => { releaseWasm = resolve; });
  await context.route(/\/widget\/accueil-widget-[0-9a-f]+_bg\.wasm$/, async (route) => {
    await wasmHeld;
    await route.continue();
  });
  const page = await context.newPage();
  const policy = [];
  page.on("console", (message) => { if (/Content.Security.Policy/i.test(message.text())) policy.push(message.text()); });
  const faqRequests = [];
  page.on("request", (request) => { if (/\/v1\/sites\/[^/]+\/faq\b/.test(request.url())) faqRequests.push(request.url()); });
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("link", { name: "Comment suivre ma commande ?" }).waitFor();
  const search = frame.getByRole("searchbox", { name: "Rechercher dans l'aide" });
  await search.tap();
  await search.pressSequentially("livraison");
  await page.screenshot({ path: path.join(OUT, "first-view-before-wasm.png") });
  releaseWasm();
  // The wasm's own results: buttons, where the first view had links.
  await frame.getByRole("button", { name: /Combien coûte la livraison/ }).waitFor();
  const taken = frame.getByRole("searchbox", { name: "Rechercher dans l'aide" });
  assert.equal(await taken.inputValue(), "livraison");
  assert.ok(await isFocused(taken), `the caret is still in the search box, not ${await taken.evaluate((el) => { const a = el.ownerDocument.activeElement; return a.tagName + "#" + a.id + "." + a.className; })}`);
  await taken.pressSequentially(" express");
  await frame.getByRole("button", { name: /livraison express/ }).waitFor();
  assert.equal(await frame.getByRole("link", { name: "Comment suivre ma commande ?" }).count(), 0, "the first view is gone");
  assert.deepEqual(policy, [], "nothing broke the content security policy");
  // The FAQ the server preloaded with the document is the one the wasm reads: one download, not two.
  assert.deepEqual(faqRequests, [BASE + "/v1/sites/demo/faq?locale=fr"], "the FAQ is requested once");
  await context.close();
});

test("while the wasm cannot load, the first view's close button and Escape still close the panel", async () => {
  const context = await phone(browser);
  await context.route(/\.wasm$/, (route) => route.abort());
  const page = await context.newPage();
  await page.goto(BASE + "/");
  const launcher = page.getByRole("button", { name: "Ouvrir l'aide et le contact" });
  await launcher.tap();
  const frame = widgetFrame(page);
  await frame.getByRole("heading", { name: "Comment pouvons-nous vous aider ?", level: 1 }).waitFor();
  await frame.getByRole("button", { name: "Fermer" }).tap();
  await launcher.waitFor({ timeout: 10_000 });
  assert.equal(await page.locator("iframe").first().isHidden(), true, "the panel is closed");
  // Escape, from inside the panel, closes it too.
  await launcher.tap();
  await frame.getByRole("heading", { name: "Comment pouvons-nous vous aider ?", level: 1 }).waitFor();
  await frame.getByRole("searchbox", { name: "Rechercher dans l'aide" }).focus();
  await page.keyboard.press("Escape");
  await launcher.waitFor({ timeout: 10_000 });
  await context.close();
});
