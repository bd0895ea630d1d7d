// The widget as a visitor on a phone meets it on the demo brand page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { BASE, OUT, launch, phone, widgetFrame, isFocused, eventually } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const OPEN_FR = "Ouvrir l'aide et le contact";

test("before the tap: no cookie, no storage, no request but the page and the loader", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(BASE + "/");
  const launcher = page.getByRole("button", { name: OPEN_FR });
  await launcher.waitFor();
  await page.waitForLoadState("networkidle");
  assert.deepEqual([...new Set(requests)].sort(), ["/", "/accueil.js", "/lampe-aurore.svg", "/shop.css"]);
  assert.deepEqual(await context.cookies(), []);
  const storage = await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]);
  assert.deepEqual(storage, [0, 0, ""]);

  await launcher.tap();
  await widgetFrame(page).getByRole("heading", { name: "Comment pouvons-nous vous aider ?" }).waitFor();
  assert.ok(requests.includes("/widget/"), "the widget loads only after the tap");
  assert.ok(requests.includes("/v1/sites/demo/config"));
  assert.ok(!requests.includes("/v1/sessions"), "opening the widget creates no session");
  assert.deepEqual(await context.cookies(), [], "opening the widget sets no cookie either");
  await context.close();
});

test("a tap opens a full-screen sheet with focus inside; Escape closes it and focus returns", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(BASE + "/");
  const readyFired = page.evaluate(() => new Promise((resolve) => {
    const wait = () => (window.Accueil ? window.Accueil.on("ready", () => resolve(true)) : setTimeout(wait, 20));
    wait();
  }));
  const launcher = page.getByRole("button", { name: OPEN_FR });
  await launcher.tap();
  const frame = widgetFrame(page);
  const heading = frame.getByRole("heading", { name: "Comment pouvons-nous vous aider ?" });
  await heading.waitFor();
  assert.equal(await readyFired, true, "the widget says it is ready, through the origin-pinned channel");

  await frame.getByRole("searchbox", { name: "Rechercher dans l'aide" }).waitFor();
  for (const name of ["Discuter avec nous", "Être rappelé", "Communauté"]) {
    await frame.getByRole("button", { name: new RegExp(name) }).waitFor();
  }
  const box = await page.locator("iframe").boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 390, 844], "on a phone the widget fills the screen");
  assert.ok(await eventually(() => isFocused(heading)), "focus moves into the widget, on its title");
  await page.screenshot({ path: path.join(OUT, "phone-widget-open.png") });
  assert.deepEqual(problems, [], "no script error and no Content-Security-Policy violation");

  await frame.getByRole("button", { name: /Discuter avec nous/ }).tap();
  await frame.getByRole("heading", { name: "Discuter avec nous" }).waitFor();
  await frame.getByRole("button", { name: "Retour", exact: true }).tap();
  // Escape is the wasm's to hear: wait until it has taken the home's first view over (its channels are
  // buttons there, links in the first view).
  await frame.getByRole("button", { name: /Discuter avec nous/ }).waitFor();

  await page.keyboard.press("Escape");
  await page.locator("iframe").waitFor({ state: "hidden" });
  assert.ok(await eventually(() => isFocused(launcher)), "focus returns to the launcher");
  assert.equal(await launcher.getAttribute("aria-expanded"), "false");
  await context.close();
});

test("the language switches inside the widget and on the launcher", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: OPEN_FR }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("heading", { name: "Comment pouvons-nous vous aider ?" }).waitFor();
  await frame.getByRole("button", { name: "Switch to English" }).tap();
  // The loader renames the iframe too, so screen readers announce it in the visitor's language.
  const english = widgetFrame(page, "Help and contact");
  await english.getByRole("heading", { name: "How can we help?" }).waitFor();
  await english.getByRole("button", { name: /Chat with us/ }).waitFor();
  assert.equal(await english.locator("html").getAttribute("lang"), "en");
  await english.getByRole("button", { name: "Close" }).tap();
  await page.getByRole("button", { name: "Open help and contact" }).waitFor();

  await page.evaluate(() => window.Accueil.setLocale("fr"));
  await page.getByRole("button", { name: OPEN_FR }).waitFor();
  await page.evaluate(() => window.Accueil.open());
  await frame.getByRole("heading", { name: "Comment pouvons-nous vous aider ?" }).waitFor();
  await context.close();
});

test("a hostile host stylesheet does not break the launcher or the widget", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.route(BASE + "/hostile.html", (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><html lang="fr"><head><meta name="viewport" content="width=device-width">
      <style>
        * { font-family: serif !important; color: lime !important; }
        button { display: none !important; background: red !important; }
        iframe { display: none !important; width: 1px !important; }
        div, accueil-widget { opacity: 0 !important; visibility: hidden !important; }
        body > * { transform: scale(.1) !important; }
      </style></head><body><h1>Hostile</h1>
      <script src="${BASE}/accueil.js" data-site="demo" async></script></body></html>`,
  }));
  await page.goto(BASE + "/hostile.html");
  const launcher = page.getByRole("button", { name: OPEN_FR });
  await launcher.waitFor({ state: "visible" });
  const look = await launcher.evaluate((el) => {
    const s = getComputedStyle(el);
    return { background: s.backgroundColor, width: el.getBoundingClientRect().width };
  });
  assert.equal(look.background, "rgb(31, 78, 121)", "the launcher keeps its own colour");
  assert.equal(look.width, 56, "and its own size");
  await launcher.tap();
  const frame = widgetFrame(page);
  await frame.getByRole("heading", { name: "Comment pouvons-nous vous aider ?" }).waitFor();
  const box = await page.locator("iframe").boundingBox();
  assert.equal(box.width, 390);
  await context.close();
});

test("a page on an origin the site does not list cannot frame the widget", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const messages = [];
  page.on("console", (m) => messages.push(m.text()));
  // The real demo page, reached as `localhost`: another origin than `127.0.0.1`, the only one the demo
  // site allows. (Its loader and iframe then come from `localhost` too, as on any unlisted site.)
  const intruder = BASE.replace("127.0.0.1", "localhost") + "/";
  assert.notEqual(new URL(intruder).origin, new URL(BASE).origin);
  await page.goto(intruder);
  await page.getByRole("button", { name: OPEN_FR }).waitFor();
  await page.evaluate(() => { window.readyCount = 0; window.Accueil.on("ready", () => window.readyCount++); });
  await page.getByRole("button", { name: OPEN_FR }).tap();
  const refused = await eventually(() => messages.some((m) => m.includes("frame-ancestors")), 5000);
  assert.ok(refused, `Chromium refuses the frame by its policy; console said: ${messages.join(" | ")}`);
  assert.equal(await page.evaluate(() => window.readyCount), 0, "the widget never started there");
  assert.equal(await widgetFrame(page).getByRole("heading").count(), 0);
  await context.close();
});

test("data-prefetch=idle fetches the widget document only: no API call, no cookie, no frame", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  await page.route(BASE + "/prefetch.html", (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><html lang="fr"><body><p>Produit</p>
      <script src="${BASE}/accueil.js" data-site="demo" data-prefetch="idle" async></script></body></html>`,
  }));
  await page.goto(BASE + "/prefetch.html");
  await page.getByRole("button", { name: OPEN_FR }).waitFor();
  await page.waitForLoadState("networkidle");
  assert.ok(await eventually(() => requests.includes("/widget/")), `prefetched: ${requests}`);
  assert.ok(!requests.some((r) => r.startsWith("/v1/")), `no API call before the tap: ${requests}`);
  assert.equal(await page.locator("iframe").count(), 0);
  assert.deepEqual(await context.cookies(), []);
  await context.close();
});

test("data-position puts the launcher bottom-left, and Accueil.toggle() and close() drive the panel", async () => {
  const context = await phone(browser, { isMobile: false, hasTouch: false, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // A brand page of its own on the demo's origin (listed in allowed_origins), with the tag as a web team
  // would paste it.
  const url = BASE + "/position-left.html";
  await page.route(url, (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><html lang="fr"><title>Page</title><main><h1>Une page</h1></main>
      <script src="${BASE}/accueil.js" data-site="demo" data-position="bottom-left" async></script></html>`,
  }));
  await page.goto(url);
  const launcher = page.getByRole("button", { name: OPEN_FR });
  await launcher.waitFor();
  const box = await launcher.boundingBox();
  assert.ok(box.x < 100, `the launcher sits on the left (x = ${box.x})`);

  await page.evaluate(() => window.Accueil.toggle());
  const frame = page.locator("iframe");
  await frame.waitFor({ state: "visible" });
  await widgetFrame(page).getByRole("heading", { name: "Comment pouvons-nous vous aider ?" }).waitFor();
  const panel = await frame.boundingBox();
  assert.ok(panel.x < 640, `on a wide screen the panel opens on the launcher's side (x = ${panel.x})`);
  await page.evaluate(() => window.Accueil.toggle());
  await frame.waitFor({ state: "hidden" });
  assert.equal(await launcher.getAttribute("aria-expanded"), "false");
  await page.evaluate(() => window.Accueil.open());
  await frame.waitFor({ state: "visible" });
  await page.evaluate(() => window.Accueil.close());
  await frame.waitFor({ state: "hidden" });
  await context.close();
});

test("a channel the site switched off is never offered: not from home, not from the chat, not by its own URL", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const url = BASE + "/chat-only.html";
  await page.route(url, (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><html lang="fr"><title>Outlet</title><main><h1>Outlet</h1></main>
      <script src="${BASE}/accueil.js" data-site="chat-only" async></script></html>`,
  }));
  await page.goto(url);
  await page.getByRole("button", { name: OPEN_FR }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("button", { name: /^Discuter avec nous/ }).waitFor();
  assert.equal(await frame.getByRole("button", { name: /Être rappelé|Communauté/ }).count(), 0, "home offers only the chat");
  await frame.getByRole("button", { name: /^Discuter avec nous/ }).tap();
  // Nobody is there, and this site calls nobody back: the visitor may leave a message, nothing else.
  await frame.getByText("Personne n'est disponible pour le moment. Laissez un message : nous vous répondrons ici.").waitFor();
  assert.equal(await frame.getByRole("button", { name: "Être rappelé" }).count(), 0, "no callback offered");
  assert.equal(await frame.getByText(/rappel/i).count(), 0, "no callback promised either");

  // A callback page reached anyway (an old link) says it is not offered and shows what is.
  const stale = await context.newPage();
  await stale.goto(BASE + "/widget/callback/?site=chat-only&locale=fr");
  await stale.getByText("Ce service n'est pas proposé ici").waitFor();
  await stale.getByRole("button", { name: /^Discuter avec nous/ }).waitFor();
  assert.equal(await stale.getByText(/bientôt/).count(), 0, "no \"coming soon\"");
  await stale.screenshot({ path: path.join(OUT, "phone-channel-off.png") });
  await context.close();
});
