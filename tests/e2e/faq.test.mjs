// The FAQ loop end to end: a visitor on a phone finds an answer despite typos and missing accents and
// votes; a search with no answer reaches the console's report; an agent edits an entry and visitors
// see the new text.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { BASE, OUT, eventually, launch, phone, signIn, widgetFrame } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openWidget(context) {
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("heading", { name: "Questions fréquentes" }).waitFor();
  return { page, frame };
}

/** Waits for the widget to report a FAQ event whose JSON contains `text`. */
function eventSent(page, text) {
  return page.waitForResponse((r) => r.url().includes("/faq/events") && (r.request().postData() || "").includes(text));
}

test("a misspelt, accent-less query finds the entry, the vote and the failed search reach the console", async () => {
  const visitor = await phone(browser);
  const { page, frame } = await openWidget(visitor);
  const search = frame.getByRole("searchbox", { name: "Rechercher dans l'aide" });

  await search.fill("delai de livrason");
  const result = frame.getByRole("button", { name: "Quels sont les délais de livraison ?" });
  await result.waitFor();
  assert.ok(await frame.locator("mark").count() > 0, "matched words are marked");
  await page.screenshot({ path: path.join(OUT, "phone-faq-results.png") });
  const viewed = eventSent(page, '"view"');
  await result.tap();
  await frame.getByRole("heading", { name: "Quels sont les délais de livraison ?" }).waitFor();
  await frame.getByText("expédiés sous 48 h").waitFor();
  await viewed;

  await frame.getByRole("button", { name: "Non" }).tap();
  await frame.getByLabel(/Que manquait-il/).fill("Et le samedi ?");
  const voted = eventSent(page, "Et le samedi");
  await frame.getByRole("button", { name: "Envoyer" }).tap();
  await frame.getByRole("status").filter({ hasText: "Merci" }).waitFor();
  await voted;
  await page.screenshot({ path: path.join(OUT, "phone-faq-article.png") });

  await frame.getByRole("button", { name: "Retour", exact: true }).tap();
  const unanswered = eventSent(page, "location de voiture");
  await search.fill("location de voiture");
  await frame.getByText("Nous n'avons pas de réponse toute prête").waitFor();
  await frame.getByRole("button", { name: /Discuter avec nous/ }).waitFor();
  await unanswered;
  await frame.getByRole("button", { name: /Discuter avec nous/ }).tap();
  await frame.getByRole("heading", { name: "Discuter avec nous", level: 1 }).waitFor();
  assert.equal(await frame.getByLabel("Votre message").inputValue(), "location de voiture", "the search comes along");
  await visitor.close();

  // A search left at once (before the pause that settles it) still counts: leaving the results for the
  // chat's own document reports it, and the report survives the page going away (a beacon).
  const hasty = await phone(browser);
  const { frame: hastyFrame } = await openWidget(hasty);
  await hastyFrame.getByRole("searchbox", { name: "Rechercher dans l'aide" }).fill("piscine municipale");
  await hastyFrame.getByRole("button", { name: /Discuter avec nous/ }).tap();
  await hastyFrame.getByRole("heading", { name: "Discuter avec nous", level: 1 }).waitFor();
  await hasty.close();

  const agent = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
  const consolePage = await signIn(agent);
  const reported = () => consolePage.evaluate(() =>
    fetch("/v1/agent/faq/demo/fr/report").then((r) => r.text()).then((t) => t.includes("piscine municipale")));
  assert.ok(await eventually(reported, 10_000), "the hasty search reached the report");
  await consolePage.getByRole("button", { name: "Ce que cherchent les visiteurs" }).click();
  const gaps = consolePage.getByRole("region", { name: "Recherches sans bonne réponse" });
  await gaps.getByRole("cell", { name: "location de voiture", exact: true }).waitFor();
  await gaps.getByRole("cell", { name: "piscine municipale", exact: true }).waitFor();
  await consolePage.getByRole("region", { name: "Commentaires des visiteurs" }).getByText("Et le samedi ?").waitFor();
  await consolePage.screenshot({ path: path.join(OUT, "console-faq-report.png") });
  await agent.close();
});

test("an agent edits an entry in the console and visitors see the new text", async () => {
  const agent = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
  const consolePage = await signIn(agent);
  await consolePage.getByRole("button", { name: "FAQ", exact: true }).click();
  await consolePage.getByLabel("Filtrer les questions").fill("délais");
  await consolePage.getByRole("button", { name: "Quels sont les délais de livraison ?" }).click();
  const answer = consolePage.getByLabel("Réponse (Markdown)");
  const markdown = await answer.inputValue();
  assert.match(markdown, /expédiés sous 48 h/);

  await consolePage.getByLabel("Question", { exact: true }).fill("");
  await consolePage.getByRole("button", { name: "Publier" }).click();
  await consolePage.getByText("cannot be empty").waitFor();
  assert.equal(await consolePage.getByLabel("Question", { exact: true }).getAttribute("aria-invalid"), "true");

  await consolePage.getByLabel("Question", { exact: true }).fill("Quels sont les délais de livraison ?");
  await answer.fill(markdown + "\n\nExpédition le jour même pour toute commande passée avant 11 h.");
  await consolePage.getByRole("button", { name: "Aperçu" }).click();
  await consolePage.locator(".ac-preview").getByText("Expédition le jour même").waitFor();
  await consolePage.getByRole("button", { name: "Publier" }).click();
  await consolePage.getByRole("status").filter({ hasText: "Publié" }).waitFor();
  await consolePage.screenshot({ path: path.join(OUT, "console-faq-editor.png") });

  // Synonyms are content too: a word no entry uses finds the delivery answers once it is added.
  await consolePage.getByRole("button", { name: "Synonymes de recherche" }).click();
  const groups = consolePage.getByLabel("Synonymes de recherche");
  await groups.fill((await groups.inputValue()) + "\nlivraison, acheminement");
  await consolePage.getByRole("button", { name: "Publier" }).click();
  await consolePage.getByRole("status").filter({ hasText: "Publié" }).waitFor();
  await agent.close();

  const visitor = await phone(browser);
  const { frame } = await openWidget(visitor);
  await frame.getByRole("searchbox", { name: "Rechercher dans l'aide" }).fill("delais livraison");
  await frame.getByRole("button", { name: "Quels sont les délais de livraison ?" }).tap();
  await frame.getByText("Expédition le jour même pour toute commande passée avant 11 h.").waitFor();
  await frame.getByRole("button", { name: "Retour", exact: true }).tap();
  await frame.getByRole("searchbox", { name: "Rechercher dans l'aide" }).fill("acheminement");
  await frame.getByRole("button", { name: "Quels sont les délais de livraison ?" }).waitFor();
  await visitor.close();
});

test("a vain search becomes, in one action, a phrasing of the entry the server finds closest", async () => {
  // The server embeds the published entries in the background after the FAQ is first served; it
  // searches by meaning once they are.
  // Asked every 600 ms: under the search limit (120 a minute per address).
  const semantic = () => fetch(BASE + "/v1/sites/demo/faq/search?locale=fr&q=" + encodeURIComponent("on peut la mettre sur la terrasse"))
    .then((r) => { assert.equal(r.status, 200); return r.json(); }).then((found) => found.hits.some((h) => h.id === "product-outdoor"));
  assert.ok(await eventually(semantic, 60_000, 600), "the server searches by meaning once its entries are embedded");

  const visitor = await phone(browser);
  const { page, frame } = await openWidget(visitor);
  const search = frame.getByRole("searchbox", { name: "Rechercher dans l'aide" });
  const vain = eventSent(page, "joliment");
  await search.fill("je voudrais offrir une lampe joliment emballée");
  await frame.getByText("Nous n'avons pas de réponse toute prête").waitFor();
  await vain;
  await visitor.close();

  const agent = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
  const consolePage = await signIn(agent);
  await consolePage.getByRole("button", { name: "Ce que cherchent les visiteurs" }).click();
  const gaps = consolePage.getByRole("region", { name: "Recherches sans bonne réponse" });
  const asked = "je voudrais offrir une lampe joliment emballee";
  const row = gaps.getByRole("row").filter({ hasText: asked });
  await row.getByRole("button", { name: `Créer une question : ${asked}` }).waitFor();
  await consolePage.screenshot({ path: path.join(OUT, "console-faq-report-suggestions.png") });
  await row.getByRole("button", { name: "Ajouter comme formulation de « Proposez-vous un emballage cadeau ? »" }).click();
  await consolePage.getByRole("status").filter({ hasText: "Publié" }).waitFor();
  await gaps.getByRole("cell", { name: asked, exact: true }).waitFor({ state: "detached" });
  await agent.close();

  // The next visitor's own search (in the widget, per keystroke) finds it.
  const next = await phone(browser);
  const { frame: nextFrame } = await openWidget(next);
  await nextFrame.getByRole("searchbox", { name: "Rechercher dans l'aide" }).fill("je voudrais offrir une lampe joliment emballée");
  await nextFrame.getByRole("button", { name: "Proposez-vous un emballage cadeau ?" }).waitFor();
  await next.close();
});
