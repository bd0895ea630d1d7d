// Accessibility audit with axe-core (WCAG 2.0-2.2, levels A and AA) of every view a visitor or an agent
// meets. Any serious or critical violation fails, with its rule, target and fix in the message.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { AGENT, BASE, audit, eventually, launch, phone } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

function widgetDocument(page) {
  return page.frames().find((f) => f.url().includes("/widget/"));
}

test("the brand page with the launcher, and the widget's home, results and article pass axe", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(BASE + "/");
  const launcher = page.getByRole("button", { name: "Ouvrir l'aide et le contact" });
  await launcher.waitFor();
  await audit(page.mainFrame(), "demo page with launcher");

  await launcher.tap();
  const frame = page.frameLocator("iframe");
  await frame.getByRole("heading", { name: "Questions fréquentes" }).waitFor();
  await audit(widgetDocument(page), "widget home");

  await frame.getByRole("searchbox", { name: "Rechercher dans l'aide" }).fill("retour gratuit");
  await frame.getByRole("button", { name: "Le retour est-il gratuit ?" }).waitFor();
  await audit(widgetDocument(page), "widget results");

  await frame.getByRole("button", { name: "Le retour est-il gratuit ?" }).tap();
  await frame.getByRole("button", { name: "Non" }).tap();
  await frame.getByLabel(/Que manquait-il/).waitFor();
  await audit(widgetDocument(page), "widget article with feedback form");

  await frame.getByRole("button", { name: "Retour", exact: true }).tap();
  await frame.getByRole("searchbox", { name: "Rechercher dans l'aide" }).fill("xyzzy plugh");
  await frame.getByText("Nous n'avons pas de réponse toute prête").waitFor();
  await audit(widgetDocument(page), "widget without an answer");
  await context.close();
});

test("the callback form, its field errors and the booked request pass axe", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = page.frameLocator("iframe");
  await frame.getByRole("button", { name: /^Être rappelé/ }).tap();
  await frame.getByLabel("Votre numéro de téléphone").waitFor();
  await audit(widgetDocument(page), "callback form");

  await frame.getByRole("button", { name: "Demander l'appel" }).tap();
  await frame.getByText("Cochez la case pour que nous puissions vous appeler.").waitFor();
  await audit(widgetDocument(page), "callback form with field errors");

  await frame.getByLabel("Votre numéro de téléphone").fill("06 10 20 30 40");
  await frame.getByLabel("À quel sujet ?").fill("Garantie");
  await frame.getByRole("checkbox", { name: /J'accepte/ }).check();
  await frame.getByRole("button", { name: "Demander l'appel" }).tap();
  await frame.getByText("Rappel prévu").waitFor();
  await audit(widgetDocument(page), "callback booked");
  await context.close();
});

test("the community's list, question and ask form pass axe", async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = page.frameLocator("iframe");
  await frame.getByRole("button", { name: /^Communauté/ }).tap();
  await frame.getByRole("button", { name: "Poser une question" }).waitFor();
  await frame.getByRole("status").filter({ hasText: "Chargement" }).waitFor({ state: "detached" });
  await audit(widgetDocument(page), "community list");

  await frame.getByRole("button", { name: "Poser une question" }).tap();
  await frame.getByLabel("Votre question").fill("Quelle ampoule pour la lampe Atelier ?");
  await frame.getByLabel("Votre pseudonyme (public)").fill("Support");
  await frame.getByRole("button", { name: "Publier" }).tap();
  await frame.getByText("Choisissez un autre pseudonyme").waitFor();
  await audit(widgetDocument(page), "community ask form with a refused pseudonym");

  await frame.getByLabel("Votre pseudonyme (public)").fill("Jeanne");
  await frame.getByRole("button", { name: "Publier" }).tap();
  await frame.getByRole("heading", { name: "Quelle ampoule pour la lampe Atelier ?" }).waitFor();
  await audit(widgetDocument(page), "community question");
  await context.close();
});

test("the console's sign-in, FAQ editor and report pass axe", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
  const page = await context.newPage();
  await page.goto(BASE + "/console/");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByText("Saisissez votre adresse e-mail.").waitFor();
  await audit(page.mainFrame(), "console sign-in with field errors");

  await page.getByLabel("Adresse e-mail").fill(AGENT.email);
  await page.getByLabel("Mot de passe").fill(AGENT.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("heading", { name: "Boîte de réception" }).waitFor();
  await audit(page.mainFrame(), "console inbox");

  await page.getByRole("button", { name: "FAQ", exact: true }).click();
  await page.getByRole("button", { name: "Comment suivre ma commande ?" }).click();
  await page.getByLabel("Réponse (Markdown)").waitFor();
  await audit(page.mainFrame(), "console FAQ editor");

  await page.getByRole("button", { name: /^Rappels/ }).click();
  await page.getByRole("heading", { name: "Rappels", level: 1 }).waitFor();
  await page.getByRole("listitem").first().waitFor();
  await audit(page.mainFrame(), "console callbacks");

  await page.getByRole("button", { name: "Communauté", exact: true }).click();
  await page.getByRole("heading", { name: "Questions récentes" }).waitFor();
  await audit(page.mainFrame(), "console community");

  await page.getByRole("button", { name: "Ce que cherchent les visiteurs" }).click();
  await page.getByRole("heading", { name: "Recherches sans bonne réponse" }).waitFor();
  await audit(page.mainFrame(), "console report");
  await context.close();
});

test("a keyboard-only visitor opens the widget, searches, reads an answer and closes it", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const page = await context.newPage();
  await page.goto(BASE + "/");
  const launcher = page.getByRole("button", { name: "Ouvrir l'aide et le contact" });
  await launcher.focus();
  await page.keyboard.press("Enter");
  const frame = page.frameLocator("iframe");
  const title = frame.getByRole("heading", { name: "Comment pouvons-nous vous aider ?" });
  await title.waitFor();
  const focused = (locator) => locator.evaluate((el) => el.getRootNode().activeElement === el);
  const pressUntil = async (locator, key = "Tab", max = 8) => {
    for (let i = 0; i < max && !(await focused(locator)); i++) await page.keyboard.press(key);
    return focused(locator);
  };
  assert.ok(await eventually(() => focused(title)), "focus lands on the widget's title");
  const search = frame.getByRole("searchbox", { name: "Rechercher dans l'aide" });
  assert.ok(await pressUntil(search), "Tab reaches the search box");
  await page.keyboard.type("retour gratuit");
  const result = frame.getByRole("button", { name: "Le retour est-il gratuit ?" });
  await result.waitFor();
  assert.ok(await pressUntil(result), "Tab reaches the first answer");
  await page.keyboard.press("Enter");
  const articleTitle = frame.getByRole("heading", { level: 1, name: "Le retour est-il gratuit ?" });
  await articleTitle.waitFor();
  assert.ok(await focused(articleTitle), "opening an answer moves focus to its title");
  const yes = frame.getByRole("button", { name: "Oui", exact: true });
  assert.ok(await pressUntil(yes, "Tab", 15), "Tab reaches the vote");
  await page.keyboard.press("Enter");
  await frame.getByRole("status").filter({ hasText: "Merci" }).waitFor();
  await page.keyboard.press("Escape");
  await page.locator("iframe").waitFor({ state: "hidden" });
  assert.ok(await focused(launcher), "Escape closes and focus returns to the launcher");
  await context.close();
});
