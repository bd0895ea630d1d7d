// Callbacks end to end: a visitor on a phone books a window (a lost answer is retried without a second
// request), an agent takes it in the console and records the call, the visitor sees the outcome; another
// visitor whose window fills up meanwhile picks one of the next, then cancels with one tap.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { BASE, OUT, isFocused, launch, phone, signIn, widgetFrame } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A French mobile number no other test uses: the server caps requests per number and day. */
function mobile() {
  // 061… is a French mobile range; random digits elsewhere could land in an unassigned one.
  const digits = "1" + String(Math.floor(Math.random() * 1e7)).padStart(7, "0");
  return { typed: `06 ${digits.replace(/(\d\d)(?=\d)/g, "$1 ")}`, e164: `+336${digits}` };
}

/** Opens the widget, searches `query`, and goes to the callback form. */
async function openCallback(context, query) {
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("searchbox", { name: "Rechercher dans l'aide" }).fill(query);
  await frame.getByRole("button", { name: /^Être rappelé/ }).tap();
  await frame.getByRole("heading", { name: "Être rappelé", level: 1 }).waitFor();
  await frame.getByLabel("Votre numéro de téléphone").waitFor();
  return { page, frame };
}

/** The start times of the windows offered in the form, earliest first (without "as soon as possible"). */
function offeredSlots(frame) {
  return frame.getByLabel("Quand vous appeler ?").evaluate((select) =>
    [...select.options].map((o) => o.value).filter((v) => v !== "asap"));
}

async function fillForm(frame, number, slot) {
  await frame.getByLabel("Votre numéro de téléphone").fill(number.typed);
  await frame.getByText(`✓ ${number.typed}`).waitFor();
  await frame.getByLabel("Votre prénom (facultatif)").fill("Claire");
  await frame.getByLabel("Quand vous appeler ?").selectOption(slot);
  await frame.getByRole("checkbox", { name: /J'accepte que Maison Lumière m'appelle/ }).check();
}

/** Books `slot` straight through the API, as another visitor would. */
async function bookElsewhere(slot) {
  const session = await (await fetch(BASE + "/v1/sessions", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ site: "demo" }),
  })).json();
  const response = await fetch(BASE + "/v1/callbacks", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${session.token}`, "idempotency-key": crypto.randomUUID() },
    body: JSON.stringify({
      phone: { country: "FR", number: mobile().typed }, topic: "Autre visiteur", when: { type: "slot", start: slot },
      consent: true, consent_version: "2026-11", locale: "fr",
    }),
  });
  assert.equal(response.status, 201, await response.text());
}

async function openCallbackQueue(context) {
  const page = await signIn(context);
  await page.getByRole("button", { name: /^Rappels/ }).click();
  await page.getByRole("heading", { name: "Rappels", level: 1 }).waitFor();
  return page;
}

test("a visitor books a window, an agent takes and closes it, and the visitor sees the outcome", async () => {
  const visitor = await phone(browser);
  const { page, frame } = await openCallback(visitor, "lampe qui clignote");
  assert.equal(await frame.getByLabel("À quel sujet ?").inputValue(), "lampe qui clignote", "the search comes along");
  assert.equal(await frame.getByLabel("Pays").inputValue(), "FR");
  const number = mobile();
  const [slot] = await offeredSlots(frame);
  await fillForm(frame, number, slot);

  // The first answer is lost on the way back: the widget retries with the same key.
  let posts = 0;
  await page.route("**/v1/callbacks", async (route) => {
    posts += 1;
    if (posts === 1) {
      await route.fetch();
      await route.abort("connectionreset");
    } else {
      await route.continue();
    }
  });
  await frame.getByRole("button", { name: "Demander l'appel" }).tap();
  await frame.getByText("C'est noté ! Nous vous appellerons dans ce créneau.").waitFor();
  assert.equal(posts, 2, "the submit was sent twice");
  await frame.getByText("Rappel prévu").waitFor();
  await frame.getByText(number.typed).waitFor();
  await page.screenshot({ path: path.join(OUT, "phone-callback-booked.png") });
  // Consent is given per request: another request starts with the box unticked and a topic of its own.
  await frame.getByRole("button", { name: "Demander un autre rappel" }).tap();
  assert.equal(await frame.getByRole("checkbox", { name: /J'accepte que Maison Lumière m'appelle/ }).isChecked(), false, "consent is not carried over");
  assert.equal(await frame.getByLabel("À quel sujet ?").inputValue(), "");

  const agent = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
  const console = await openCallbackQueue(agent);
  const item = console.getByRole("listitem").filter({ hasText: number.e164 });
  await item.waitFor();
  assert.equal(await item.count(), 1, "one request, not two");
  await item.getByText("lampe qui clignote").first().waitFor();
  await item.getByRole("button", { name: /^Prendre en charge/ }).click();
  await item.getByRole("radio", { name: "Joint" }).check();
  await item.getByLabel(/^Notes/).fill("Lampe échangée <b>vite</b>");
  await console.screenshot({ path: path.join(OUT, "console-callbacks.png") });
  await item.getByRole("button", { name: "Enregistrer" }).click();
  await console.getByRole("listitem").filter({ hasText: number.e164 }).waitFor({ state: "detached" });
  await console.getByRole("button", { name: "Terminés" }).click();
  await console.getByRole("listitem").filter({ hasText: number.e164 }).getByText("Lampe échangée <b>vite</b>").waitFor();

  // The widget refreshes the status of open requests by itself.
  await frame.getByText("Appel effectué").waitFor({ timeout: 25_000 });
  await agent.close();
  await visitor.close();
});

test("a window that fills up offers the next ones, and a visitor cancels with one tap", async () => {
  const visitor = await phone(browser);
  const { page, frame } = await openCallback(visitor, "");
  const slots = await offeredSlots(frame);
  const wanted = slots[3];
  await fillForm(frame, mobile(), wanted);
  await frame.getByLabel("À quel sujet ?").fill("Changer l'adresse de livraison");
  // Two other visitors take the window's two places while this one fills the form.
  await bookElsewhere(wanted);
  await bookElsewhere(wanted);

  await frame.getByRole("button", { name: "Demander l'appel" }).tap();
  await frame.getByText("Ce créneau vient d'être pris. Voici les suivants :").waitFor();
  const next = frame.locator(".aw-alternatives").getByRole("button");
  assert.equal(await next.count(), 3, "three next windows are offered");
  await page.screenshot({ path: path.join(OUT, "phone-callback-slot-full.png") });
  await next.first().tap();
  assert.equal(await frame.getByLabel("Quand vous appeler ?").inputValue(), slots[4]);
  await frame.getByRole("button", { name: "Demander l'appel" }).tap();
  await frame.getByText("Rappel prévu").waitFor();

  await frame.getByRole("button", { name: "Annuler ce rappel" }).tap();
  await frame.getByText("Rappel annulé").waitFor();
  assert.equal(await frame.getByRole("button", { name: "Annuler ce rappel" }).count(), 0);

  // Back at home and again in the callback channel, the request and its status are still there.
  await frame.getByRole("button", { name: "Retour", exact: true }).tap();
  await frame.getByRole("heading", { name: "Comment pouvons-nous vous aider ?" }).waitFor();
  await frame.getByRole("button", { name: /^Être rappelé/ }).tap();
  await frame.getByText("Rappel annulé").waitFor();
  await visitor.close();
});

test("the form says what is wrong next to each field and sends nothing", async () => {
  const visitor = await phone(browser);
  const { page, frame } = await openCallback(visitor, "");
  let posts = 0;
  page.on("request", (r) => { if (r.url().endsWith("/v1/callbacks") && r.method() === "POST") posts += 1; });
  const phoneField = frame.getByLabel("Votre numéro de téléphone");
  await phoneField.fill("06 12 34");
  // Checked on the server as the visitor pauses, before any submit.
  await frame.getByText("Ce numéro ne semble pas valide pour ce pays.").waitFor();
  assert.equal(await phoneField.getAttribute("aria-invalid"), "true");
  await frame.getByRole("button", { name: "Demander l'appel" }).tap();
  await frame.getByText("Dites-nous en quelques mots de quoi il s'agit.").waitFor();
  await frame.getByText("Cochez la case pour que nous puissions vous appeler.").waitFor();
  assert.ok(await isFocused(phoneField), "focus moves to the first field in error");
  assert.equal(await frame.getByLabel("À quel sujet ?").getAttribute("aria-invalid"), "true");
  await page.screenshot({ path: path.join(OUT, "phone-callback-errors.png") });

  await frame.getByLabel("À quel sujet ?").fill("Garantie");
  await frame.getByRole("checkbox", { name: /J'accepte/ }).check();
  await frame.getByRole("button", { name: "Demander l'appel" }).tap();
  await frame.getByText("Ce numéro ne semble pas valide pour ce pays.").waitFor();
  assert.equal(posts, 0, "nothing was sent while the number is invalid");
  await phoneField.fill("06 12 34 56 78");
  await frame.getByText("✓ 06 12 34 56 78").waitFor();
  assert.equal(await phoneField.getAttribute("aria-invalid"), null, "the message goes with the mistake");
  await visitor.close();
});
