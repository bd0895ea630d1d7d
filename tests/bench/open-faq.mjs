// Benchmark, not a test: how long after the tap the FAQ's frequent questions are visible, and how long
// until a search typed at once shows its answers, on a phone viewport with the CPU throttled 4x
// (DevTools' "mid-tier mobile"): warm (cache full), and cold (a new browser context each run, nothing
// cached) without a network throttle and on slow 4G (Lighthouse's figures: 150 ms round trip, 1.6 Mbps
// down, 750 kbps up). Prints BENCH lines; exits non-zero when a budget is missed.
import { createRequire } from "node:module";
import path from "node:path";

const { chromium } = createRequire(path.join(process.env.ACCUEIL_TOOLS_DIR, "package.json"))("playwright-core");
const BASE = process.env.ACCUEIL_URL;
const RUNS = 9;
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
// Budgets (medians), per measure and condition: issue 3's 300 ms warm for the frequent questions;
// issue 16's cold ones (first question readable, search answering what was typed).
const BUDGETS_MS = {
  "faq visible after tap": { "warm cache": 300, "cold, no network throttle": 300, "cold, slow 4G": 1500 },
  "search answers after tap": { "warm cache": 1000, "cold, no network throttle": 1000, "cold, slow 4G": 2500 },
};
const QUERY = "livraison";
const ANSWER = "Combien coûte la livraison";

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const phone = () => browser.newContext({
  viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "fr-FR",
});

// Timed inside the page, from the launcher's click to the first animation frame in which the widget's
// document shows `text` on a button (a frequent question, or an answer to the search), so the test
// driver's own latency is not counted.
const measure = (text) => new Promise((resolve) => {
  const button = document.querySelector("accueil-widget").shadowRoot.querySelector("button");
  button.addEventListener("click", () => {
    const start = performance.now();
    const check = () => {
      const frame = document.querySelector("accueil-widget").shadowRoot.querySelector("iframe");
      const doc = frame && frame.contentDocument;
      const shown = doc && [...doc.querySelectorAll("button, a")].some((b) => b.textContent.includes(text));
      if (shown) resolve(performance.now() - start); else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }, { once: true });
});

/** Types the query as a visitor would: as soon as a search box shows in the widget (the server's first
 * view, or the wasm's), a tap on it, then the keys. Not through a locator of the frame: the test
 * driver reaches a frame's elements only between the page's long tasks, which is later than a thumb
 * does while the wasm starts. */
async function typeAsVisitor(page) {
  const deadline = Date.now() + 10_000;
  let box = null;
  while (!box) {
    if (Date.now() > deadline) throw new Error("no search box showed within 10 s of the tap");
    box = await page.evaluate(() => {
      const frame = document.querySelector("accueil-widget")?.shadowRoot?.querySelector("iframe");
      const input = frame?.contentDocument &&
        [...frame.contentDocument.querySelectorAll("input[type=search]")].find((e) => e.getClientRects().length);
      if (!input) return null;
      const [outer, inner] = [frame.getBoundingClientRect(), input.getBoundingClientRect()];
      return { x: outer.x + inner.x + inner.width / 2, y: outer.y + inner.y + inner.height / 2 };
    });
    if (!box) await new Promise((resolve) => setTimeout(resolve, 16));
  }
  await page.touchscreen.tap(box.x, box.y);
  await page.keyboard.type(QUERY);
}

/** One timed open on `page` (already on the brand page), the CPU throttled 4x and the network as given:
 * until the frequent questions show, or, with `search`, until the answers to a query typed as soon as
 * the search box shows (`typeAsVisitor`) show. */
async function timedOpen(context, page, network, search) {
  const cdp = await context.newCDPSession(page);
  if (network) {
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", network);
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const elapsed = page.evaluate(measure, search ? ANSWER : "Comment suivre ma commande");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  if (search) await typeAsVisitor(page);
  const ms = Math.round(await elapsed);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  return ms;
}

const missed = [];

function report(measure, label, timings) {
  timings.sort((a, b) => a - b);
  const median = timings[Math.floor(timings.length / 2)];
  const budget = BUDGETS_MS[measure][label];
  console.log(`BENCH ${measure} (${label}, 4x CPU throttle, 390x844): runs=${timings.length} ` +
    `median_ms=${median} max_ms=${timings[timings.length - 1]} budget_ms=${budget} all_ms=${timings.join(",")}`);
  if (median > budget) missed.push(`${measure} (${label}): median ${median} ms > ${budget} ms`);
}

for (const [measure, search] of [["faq visible after tap", false], ["search answers after tap", true]]) {
  // Warm: one context whose cache the first open fills.
  const warmContext = await phone();
  const warmPage = await warmContext.newPage();
  await warmPage.goto(BASE + "/");
  await warmPage.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  await warmPage.frameLocator("iframe").getByRole("button", { name: "Comment suivre ma commande ?" }).waitFor();
  const warm = [];
  for (let i = 0; i < RUNS; i++) {
    await warmPage.goto(BASE + "/");
    warm.push(await timedOpen(warmContext, warmPage, null, search));
  }
  await warmContext.close();
  report(measure, "warm cache", warm);

  // Cold: a new context each run (an empty cache), the brand page loaded first, as a visitor arrives.
  for (const [label, network] of [["cold, no network throttle", null], ["cold, slow 4G", SLOW_4G]]) {
    const cold = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await phone();
      const page = await context.newPage();
      await page.goto(BASE + "/");
      await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).waitFor();
      cold.push(await timedOpen(context, page, network, search));
      await context.close();
    }
    report(measure, label, cold);
  }
}
await browser.close();
if (missed.length) {
  console.error(`over budget:\n${missed.join("\n")}`);
  process.exit(1);
}
