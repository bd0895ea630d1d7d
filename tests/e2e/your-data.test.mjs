// "Your data" end to end, on a phone: a visitor who never wrote is told nothing is held, and nothing is
// created to say so; one who chatted, booked a call and asked the community sees all of it, downloads the
// file the server wrote (checked here), erases everything after one confirmation, and is told what went;
// the device keeps nothing either, and the old token is worthless. Axe passes on each state.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { BASE, OUT, audit, launch, phone, widgetFrame } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The widget's document as a Playwright Frame (for axe and storage). */
function widgetDocument(page) {
  return page.frames().find((f) => f.url().includes("/widget/"));
}

async function openWidget(context) {
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("heading", { name: "Comment pouvons-nous vous aider ?" }).waitFor();
  return { page, frame };
}

async function openYourData(frame) {
  await frame.getByRole("button", { name: "Vos données" }).tap();
  await frame.getByRole("heading", { name: "Vos données", level: 1 }).waitFor();
}

async function home(frame) {
  await frame.getByRole("button", { name: "Retour", exact: true }).tap();
  await frame.getByRole("heading", { name: "Comment pouvons-nous vous aider ?" }).waitFor();
}

test("a visitor who never wrote is told nothing is held, and no session is made to say so", async () => {
  const context = await phone(browser);
  const { page, frame } = await openWidget(context);
  const calls = [];
  page.on("request", (r) => { if (r.url().includes("/v1/sessions")) calls.push(r.url()); });
  await page.screenshot({ path: path.join(OUT, "phone-home-footer.png") });
  await openYourData(frame);
  await frame.getByText("Nous ne gardons rien sur vous").waitFor();
  assert.deepEqual(calls, [], "nothing asked of the server");
  await audit(widgetDocument(page), "your data, nothing held");
  await context.close();
});

test("a visitor sees what they left, downloads it, erases it all, and the device keeps nothing", async () => {
  const context = await phone(browser);
  const { page, frame } = await openWidget(context);
  const digits = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");
  const number = { typed: `06 1${digits[0]} ${digits.slice(1, 3)} ${digits.slice(3, 5)} ${digits[5]}8`, e164: `+3361${digits}8` };

  // A chat message.
  await frame.getByRole("button", { name: /^Discuter avec nous/ }).tap();
  const composer = frame.getByLabel("Votre message");
  await composer.fill("Ma lampe Zéphyr clignote depuis hier");
  await frame.getByRole("button", { name: "Envoyer" }).tap();
  await frame.getByText("Envoyé").waitFor();
  await home(frame);

  // A callback request.
  await frame.getByRole("button", { name: /^Être rappelé/ }).tap();
  await frame.getByLabel("Votre numéro de téléphone").fill(number.typed);
  await frame.getByText(`✓ ${number.typed}`).waitFor();
  await frame.getByLabel("À quel sujet ?").fill("Garantie de la lampe Zéphyr");
  const slot = await frame.getByLabel("Quand vous appeler ?").evaluate((select) =>
    [...select.options].map((o) => o.value).find((v) => v !== "asap"));
  await frame.getByLabel("Quand vous appeler ?").selectOption(slot);
  await frame.getByRole("checkbox", { name: /J'accepte que Maison Lumière m'appelle/ }).check();
  await frame.getByRole("button", { name: "Demander l'appel" }).tap();
  await frame.getByText("Rappel prévu").waitFor();
  await home(frame);

  // A community question, under a pseudonym.
  await frame.getByRole("button", { name: /^Communauté/ }).tap();
  await frame.getByRole("button", { name: "Poser une question" }).tap();
  await frame.getByLabel("Votre question").fill("Quelle ampoule pour la lampe Zéphyr ?");
  await frame.getByLabel("Votre pseudonyme (public)").fill("Zéphyrine");
  await frame.getByRole("button", { name: "Publier" }).tap();
  await frame.getByRole("heading", { name: "Quelle ampoule pour la lampe Zéphyr ?" }).waitFor();

  // Act: "Your data", from the community's own footer.
  await openYourData(frame);

  // Assert: each kind of item, in plain words.
  await frame.getByRole("heading", { name: "Conversations", level: 2 }).waitFor();
  await frame.getByText("Messages : 1").tap();
  await frame.getByText("Ma lampe Zéphyr clignote depuis hier").waitFor();
  await frame.getByText("Garantie de la lampe Zéphyr").waitFor();
  await frame.getByText(`Numéro se terminant par ${number.e164.slice(-2)}`).waitFor();
  assert.equal(await frame.getByText(number.typed).count(), 0, "the number is not shown whole");
  await frame.getByText(/Votre accord, version 2026-11/).waitFor();
  await frame.getByText("Quelle ampoule pour la lampe Zéphyr ?").waitFor();
  await frame.getByText(/Zéphyrine/).first().waitFor();
  const kept = frame.getByRole("listitem").filter({ hasText: "Une conversation, après sa fin" });
  await kept.getByText("365 jours").waitFor();
  await page.screenshot({ path: path.join(OUT, "phone-your-data.png"), fullPage: true });
  await audit(widgetDocument(page), "your data, held");

  await frame.getByRole("button", { name: "Tout effacer" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(OUT, "phone-your-data-actions.png") });

  // The file, as the server wrote it.
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 10_000 }),
    frame.getByRole("button", { name: "Télécharger mes données" }).tap(),
  ]);
  assert.equal(download.suggestedFilename(), "accueil-data.json");
  const file = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
  assert.equal(file.format, "accueil.visitor-data.v1");
  assert.equal(file.session.site, "demo");
  assert.deepEqual(file.conversations.map((c) => c.messages.map((m) => m.body)), [["Ma lampe Zéphyr clignote depuis hier"]]);
  assert.equal(file.callbacks.length, 1);
  assert.equal(file.callbacks[0].phone, number.e164);
  assert.equal(file.callbacks[0].consent_version, "2026-11");
  assert.match(file.callbacks[0].consent_text, /J'accepte que Maison Lumière m'appelle/);
  assert.deepEqual(file.posts.map((p) => [p.title, p.pseudonym]), [["Quelle ampoule pour la lampe Zéphyr ?", "Zéphyrine"]]);
  assert.equal(file.retention.chat_days, 365);

  // Act: erase, after one confirmation (which can be called off).
  const token = await widgetDocument(page).evaluate(() => localStorage.getItem("accueil.session.demo"));
  assert.ok(token, "the widget held a session");
  await frame.getByRole("button", { name: "Tout effacer" }).tap();
  await frame.getByRole("button", { name: "Annuler" }).tap();
  await frame.getByRole("button", { name: "Tout effacer" }).tap();
  const question = frame.getByRole("group", { name: /^Tout effacer \?/ });
  await question.waitFor();
  await audit(widgetDocument(page), "your data, erase confirmation");
  await question.getByRole("button", { name: "Oui, tout effacer" }).tap();

  // Assert: told what went; nothing left here or there.
  const done = frame.getByRole("status").filter({ hasText: "C'est fait" });
  await done.waitFor();
  for (const line of ["Conversations : 1", "Messages : 1", "Demandes de rappel : 1", "Rappels prévus, annulés : 1", "Questions et réponses : 1"]) {
    const [label, count] = line.split(/ : /);
    await done.getByRole("listitem").filter({ hasText: label + " :" }).filter({ hasText: count }).first().waitFor();
  }
  await page.screenshot({ path: path.join(OUT, "phone-your-data-erased.png") });
  await audit(widgetDocument(page), "your data, erased");
  const left = await widgetDocument(page).evaluate(() =>
    [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => k.startsWith("accueil.")));
  assert.deepEqual(left, [], "the device keeps nothing of it");
  const after = await fetch(BASE + "/v1/sessions/current/data", { headers: { authorization: `Bearer ${token}` } });
  assert.equal(after.status, 401, "the token is worthless");
  const threads = await (await fetch(BASE + "/v1/sites/demo/community/threads")).json();
  assert.ok(threads.threads.every((t) => t.title !== "Quelle ampoule pour la lampe Zéphyr ?"), "the question went");

  // Back home and into "Your data" again: nothing is held.
  await home(frame);
  await openYourData(frame);
  await frame.getByText("Nous ne gardons rien sur vous").waitFor();
  await context.close();
});
