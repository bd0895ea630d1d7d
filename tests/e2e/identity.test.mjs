// Signed identity end to end: the brand's page says who its signed-in customer is (signed with the
// documented Node example), nothing leaves the page before the tap; the customer chats on the phone,
// then opens the chat on the laptop and finds the whole conversation; the agent sees them verified;
// the file downloaded on the laptop covers it, and erasing there erases the phone's session too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { BASE, OUT, launch, phone, signIn, widgetFrame } from "./browser.mjs";
import { signIdentity } from "../../crates/server/examples/identity/sign.mjs";

const SECRET = process.env.ACCUEIL_IDENTITY_SECRET;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The demo brand page with its customer signed in; the requests it makes to Accueil's API and widget. */
async function signedInPage(context, customer) {
  const page = await context.newPage();
  const calls = [];
  page.on("request", (r) => { if (/\/(v1|widget)\//.test(r.url())) calls.push(r.url()); });
  await page.goto(BASE + "/");
  await page.evaluate((proof) => window.Accueil.identify(proof), signIdentity(SECRET, "demo", customer));
  return { page, calls };
}

async function openChat(page) {
  // Clicks, which the laptop (no touch screen) and the phone both take.
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).click();
  const frame = widgetFrame(page);
  await frame.getByRole("button", { name: /^Discuter avec nous/ }).click();
  await frame.getByRole("heading", { name: "Discuter avec nous", level: 1 }).waitFor();
  return frame;
}

test("a signed-in customer finds on the laptop the chat begun on the phone", async () => {
  const customer = { id: `C-${Date.now()}`, name: "Léa Dupont" };
  const phoneContext = await phone(browser);
  const { page: phonePage, calls } = await signedInPage(phoneContext, customer);
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(calls, [], "identify before the tap sends nothing");

  const phoneChat = await openChat(phonePage);
  await phoneChat.getByLabel("Votre message").fill("Bonjour, ma commande 4521 n'est pas arrivée");
  await phoneChat.getByRole("button", { name: "Envoyer" }).tap();
  await phoneChat.getByText("Envoyé").waitFor();

  // A second later (a new page render signs anew), on the laptop.
  await new Promise((r) => setTimeout(r, 1100));
  const laptop = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const { page: laptopPage } = await signedInPage(laptop, customer);
  const laptopChat = await openChat(laptopPage);
  await laptopChat.getByText("Bonjour, ma commande 4521 n'est pas arrivée").waitFor({ timeout: 10_000 });

  // The reply typed on the laptop reaches the same conversation, seen on the phone.
  await laptopChat.getByLabel("Votre message").fill("Je précise : livraison en point relais");
  await laptopChat.getByRole("button", { name: "Envoyer" }).click();
  await phoneChat.getByText("Je précise : livraison en point relais").waitFor({ timeout: 10_000 });

  // "Your data" on the laptop: the file holds both messages, in one conversation, of the verified customer.
  await laptopChat.getByRole("button", { name: "Vos données" }).click();
  await laptopChat.getByRole("heading", { name: "Vos données", level: 1 }).waitFor();
  const [download] = await Promise.all([
    laptopPage.waitForEvent("download", { timeout: 10_000 }),
    laptopChat.getByRole("button", { name: "Télécharger mes données" }).click(),
  ]);
  const data = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
  assert.deepEqual(data.conversations.map((c) => c.messages.map((m) => m.body)),
    [["Bonjour, ma commande 4521 n'est pas arrivée", "Je précise : livraison en point relais"]]);
  assert.deepEqual(data.session.customer, { id: customer.id, name: customer.name, verified: true });
  const phoneToken = await phonePage.frames().find((f) => f.url().includes("/widget/"))
    .evaluate(() => localStorage.getItem("accueil.session.demo"));

  // The agent sees whom the site vouched for, beside the conversation.
  const agent = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const consolePage = await signIn(agent);
  const waiting = consolePage.getByRole("listitem").filter({ hasText: "Je précise : livraison en point relais" });
  await waiting.getByRole("button").click();
  await consolePage.locator("dd", { hasText: `${customer.id} · Léa Dupont — ✓ identité vérifiée par le site` }).waitFor();
  await consolePage.screenshot({ path: path.join(OUT, "console-verified-customer.png") });
  await agent.close();

  // Erasing on the laptop erases the customer's data from the phone too.
  await laptopChat.getByRole("button", { name: "Tout effacer" }).click();
  await laptopChat.getByRole("button", { name: "Oui, tout effacer" }).click();
  await laptopChat.getByRole("status").filter({ hasText: "C'est fait" }).waitFor();
  const after = await fetch(BASE + "/v1/sessions/current", { headers: { authorization: `Bearer ${phoneToken}` } });
  assert.equal(after.status, 401, "the phone's token opened the same, now erased, session");
  await laptop.close();
  await phoneContext.close();
});
