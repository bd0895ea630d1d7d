// The dashboard end to end, on a server of its own (so nothing else happened on it): a period is seeded
// through the public API as visitors would (searches, one without a good answer, answers read and a
// vote, a callback, a community question), and the administrator's dashboard shows exactly those
// figures, in tiles, in each chart's text alternative and table, and in the CSV it downloads. Axe passes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { BASE, OUT, audit, launch, phone, signIn, widgetFrame } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function api(method, route, body, headers = {}) {
  const response = await fetch(BASE + route, {
    method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${route}: ${response.status} ${await response.clone().text()}`);
  return response.status === 204 ? null : response.json();
}

/** What a handful of visitors did today. */
async function seed() {
  const events = [
    { type: "search", query: "ampoule lampe nuage", results: 3 },
    { type: "search", query: "délai de livraison", results: 2 },
    { type: "search", query: "retour produit", results: 4 },
    { type: "search", query: "bitcoin", results: 0 },
    { type: "search", query: "cryptomonnaie", results: 0 },
    { type: "view", entry: "delivery-costs" },
    { type: "view", entry: "returns" },
    { type: "view", entry: "returns" },
    { type: "vote", entry: "returns", helpful: true },
  ];
  for (const event of events) await api("POST", "/v1/sites/demo/faq/events", { locale: "fr", event });
  const { token } = await api("POST", "/v1/sessions", { site: "demo", locale: "fr" });
  const auth = { authorization: `Bearer ${token}` };
  await api("POST", "/v1/community/threads", { title: "Quelle ampoule pour la lampe Nuage ?", body: "Elle ne s'allume plus.", pseudonym: "Marion" }, auth);
  const options = await (await fetch(BASE + "/v1/sites/demo/callback-options?locale=fr")).json();
  await api("POST", "/v1/callbacks", {
    phone: { country: "FR", number: "612345678" }, topic: "Ma lampe", when: { type: "slot", start: options.slots[0].start },
    consent: true, consent_version: options.consent.version, locale: "fr", context: { searches: [], articles: [] },
  }, { ...auth, "idempotency-key": "dashboard-seed" });
}

test("the dashboard shows the figures of a seeded period, in tiles, charts, tables and CSV", async () => {
  await seed();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR", acceptDownloads: true });
  const page = await signIn(context);
  await page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Tableau de bord" }).click();
  await page.getByRole("heading", { name: "Tableau de bord", level: 1 }).waitFor();
  await page.getByRole("combobox", { name: "Période" }).selectOption({ label: "7 derniers jours" });
  const figure = async (section, name) => {
    const region = page.getByRole("region", { name: section });
    await region.getByRole("term").filter({ hasText: name }).first().waitFor();
    return region.evaluate((el, name) => {
      const term = [...el.querySelectorAll("dt")].find((dt) => dt.textContent === name);
      return term?.nextElementSibling?.textContent;
    }, name);
  };
  // Three searches with a result and two without: 5 searches, 2 without a good answer; three answers read,
  // one helpful vote; contacts are the callback and the question, so 3 ÷ (3 + 2) served alone.
  assert.equal(await figure("Libre-service", "Recherches"), "5");
  assert.equal(await figure("Libre-service", "Recherches sans bonne réponse"), "2");
  assert.equal(await figure("Libre-service", "Réponses lues"), "3");
  assert.equal(await figure("Libre-service", "Votes « utile »"), "1");
  assert.equal(await figure("Libre-service", "Part en libre-service"), "60 %");
  assert.equal(await figure("Chat", "Conversations"), "0");
  assert.equal(await figure("Rappels", "Demandés"), "1");
  assert.equal(await figure("Rappels", "À faire"), "1");
  assert.equal(await figure("Communauté", "Questions"), "1");

  // Each chart is an image with a text alternative, and the same numbers as a table.
  const searches = page.getByRole("img", { name: /Recherches par jour/ });
  await searches.waitFor();
  const description = await searches.evaluate((svg) => svg.querySelector("desc").textContent);
  assert.match(description, /Recherches : 5 au total, le plus haut 5/);
  assert.match(description, /Recherches sans bonne réponse : 2 au total/);
  const chart = page.getByRole("figure").filter({ has: searches });
  await chart.getByText("Voir en tableau").click();
  const table = chart.getByRole("table", { name: "Recherches par jour" });
  const rows = await table.getByRole("row").allTextContents();
  assert.equal(rows.length, 1 + 7, "a header and one row per day");
  const today = new Date().toISOString().slice(0, 10);
  const todayLabel = `${today.slice(8, 10)}/${today.slice(5, 7)}`;
  assert.equal(rows.at(-1), `${todayLabel}52`, "today: 5 searches, 2 without a good answer");
  await page.getByRole("img", { name: /Rappels par créneau/ }).waitFor();
  await audit(page.mainFrame(), "the dashboard");
  await page.screenshot({ path: path.join(OUT, "console-dashboard.png"), fullPage: true });

  // The CSV holds the same figures.
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 10_000 }),
    page.getByRole("link", { name: "Télécharger les chiffres (CSV)" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^accueil-demo-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs.readFileSync(await download.path(), "utf8");
  for (const line of ["self_service,searches,5", "self_service,unanswered,2", "self_service,self_service_share,0.600",
    "callbacks,requested,1", "community,questions,1", `${today},5,2,0,1,1`]) {
    assert.ok(csv.includes(line + "\r\n"), `${line} in\n${csv}`);
  }
  await context.close();
});

test("an administrator copies the exact tag to paste and exports the site's settings as TOML", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR", acceptDownloads: true });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
  const page = await signIn(context);
  await page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Réglages" }).click();
  await page.getByRole("heading", { name: "Réglages", level: 1 }).waitFor();
  // Each section has its address: a reload stays on it, and Back returns to it.
  assert.ok(page.url().endsWith("/console/#settings"), page.url());
  await page.reload();
  await page.getByRole("heading", { name: "Réglages", level: 1 }).waitFor();
  await page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Tableau de bord" }).click();
  await page.getByRole("heading", { name: "Tableau de bord", level: 1 }).waitFor();
  await page.goBack();
  await page.getByRole("heading", { name: "Réglages", level: 1 }).waitFor();
  assert.equal(await page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Réglages" }).getAttribute("aria-current"), "page");
  const tag = page.getByRole("textbox", { name: "Le code à coller dans vos pages" });
  const code = await tag.inputValue();
  // The same tag the demo brand page carries, with the corner said too.
  assert.equal(code, `<script src="${BASE}/accueil.js" data-site="demo" data-color="#8a3b12" data-position="bottom-right" async></script>`);
  await page.getByRole("button", { name: "Copier le code" }).click();
  await page.getByRole("status").filter({ hasText: "Copié." }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
  await page.getByText('id = "demo"').waitFor();
  await audit(page.mainFrame(), "the settings");
  await page.screenshot({ path: path.join(OUT, "console-settings.png"), fullPage: true });
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 10_000 }),
    page.getByRole("link", { name: "Exporter en TOML" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "accueil-demo.toml");
  const toml = fs.readFileSync(await download.path(), "utf8");
  assert.ok(toml.startsWith("# Accueil: this site's settings") && toml.includes('primary_color = "#8a3b12"'), toml);
  await context.close();
});

/** Today's date where the demo brand works (Europe/Paris), as YYYY-MM-DD. */
function parisToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
}

/** The callback windows the widget offers a phone visitor, as the form's option values. */
async function offeredWindows(browser) {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("button", { name: /^Être rappelé/ }).tap();
  const when = frame.getByLabel("Quand vous appeler ?");
  await when.waitFor();
  // Read once the callback form runs (the first view it replaces would answer from a detached node).
  const header = await frame.getByRole("banner").first().evaluate((h) => getComputedStyle(h).backgroundColor);
  const windows = await when.evaluate((select) => [...select.options].map((o) => o.value));
  await page.screenshot({ path: path.join(OUT, `widget-callback-${header.replace(/\D+/g, "-")}.png`) });
  await context.close();
  return { header, windows };
}

test("an administrator changes the brand colour and adds a closure; the widget shows both without a restart", async () => {
  const today = parisToday();
  const onToday = (windows) => windows.filter((w) => w === "asap" || new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date(w)) === today);
  const before = await offeredWindows(browser);
  assert.equal(before.header, "rgb(138, 59, 18)", "the brand colour of the file");
  const late = Number(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", hour: "numeric", hourCycle: "h23" }).format(new Date())) >= 23;
  assert.ok(late || onToday(before.windows).length > 0, `open around the clock, so today is offered: ${before.windows}`);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
  const page = await signIn(context);
  await page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Réglages" }).click();
  const form = page.getByRole("form", { name: "Modifier les réglages" });
  await form.waitFor();
  const colour = form.getByRole("textbox", { name: "Couleur de la marque (#rrggbb)" });
  // A wrong value is refused next to its field, and nothing is applied.
  await colour.fill("bleu");
  await form.getByRole("button", { name: "Enregistrer les réglages" }).click();
  await form.getByRole("alert").filter({ hasText: "Un réglage n'est pas accepté" }).waitFor();
  assert.equal(await colour.getAttribute("aria-invalid"), "true");
  // What the setting must be, in the administrator's language.
  assert.equal(await form.locator("#ac-set-primary-color-error").textContent(), "Une couleur comme #1d4ed8.");
  // A valid colour: the preview and the contrast follow as it is typed.
  await colour.fill("#1d4ed8");
  await form.getByText(/Contraste du texte sur cette couleur : [0-9.]+:1\. Lisible/).waitFor();
  await form.getByRole("img", { name: "Aperçu" }).waitFor();
  // Closed today (stocktaking).
  await form.getByRole("button", { name: "Ajouter une fermeture" }).click();
  const closure = form.getByRole("group", { name: "Fermeture 1" });
  await closure.getByLabel("Premier jour").fill(today);
  assert.equal(await closure.getByLabel("Dernier jour").inputValue(), today, "a one-day closure by default");
  await closure.getByLabel("Nom (Noël, inventaire...)").fill("Inventaire");
  await audit(page.mainFrame(), "the settings form");
  await form.getByRole("button", { name: "Enregistrer les réglages" }).click();
  await form.getByRole("status").filter({ hasText: "Réglages enregistrés et appliqués." }).waitFor();
  assert.equal(await colour.getAttribute("aria-invalid"), "false");
  const tag = await page.getByRole("textbox", { name: "Le code à coller dans vos pages" }).inputValue();
  assert.match(tag, /data-color="#1d4ed8"/, "the tag to paste follows the new colour");
  await page.screenshot({ path: path.join(OUT, "console-settings-form.png"), fullPage: true });

  // The same server, not restarted: a visitor now gets the new colour and no window today.
  const after = await offeredWindows(browser);
  assert.equal(after.header, "rgb(29, 78, 216)", "the widget wears the new colour");
  assert.deepEqual(onToday(after.windows), [], `nothing is offered on the closed day: ${after.windows}`);
  assert.ok(after.windows.length > 0, "the days after are still offered");

  // The audit log says who changed what.
  await page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Équipe" }).click();
  await page.getByRole("cell", { name: "Réglages du site modifiés" }).first().waitFor();
  await page.getByRole("cell", { name: /primary_color : #1d4ed8/ }).first().waitFor();
  await context.close();
});
