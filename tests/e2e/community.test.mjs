// The community end to end, each person in their own browser context: visitor A asks on a phone,
// visitor B answers, A sees it without reloading and accepts it, an agent answers officially, a post
// reported by three visitors is hidden and a moderator restores it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { BASE, OUT, launch, phone, signIn, widgetFrame } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openCommunity(context) {
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("button", { name: /^Communauté/ }).tap();
  await frame.getByRole("heading", { name: "Communauté", level: 1 }).waitFor();
  await frame.getByRole("button", { name: "Poser une question" }).waitFor();
  return { page, frame };
}

/** A visitor of the API, as a third party would be. */
async function apiVisitor() {
  const response = await fetch(BASE + "/v1/sessions", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ site: "demo" }),
  });
  const { token } = await response.json();
  return (method, url, body) => fetch(BASE + url, {
    method, headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body),
  });
}

test("A asks, B answers, A accepts live, an agent answers officially, a reported post is hidden then restored", async () => {
  const title = `La lampe Atelier tient-elle sur une étagère de 25 cm ? (${Date.now()})`;
  const a = await phone(browser);
  const { page: pageA, frame: frameA } = await openCommunity(a);
  await frameA.getByRole("button", { name: "Poser une question" }).tap();
  await frameA.getByLabel("Votre question").fill(title);
  await frameA.getByLabel("Détails (facultatif)").fill("Mon étagère fait **25 cm** de profondeur.");
  await frameA.getByLabel("Votre pseudonyme (public)").fill("Maison Lumière");
  await frameA.getByRole("button", { name: "Publier" }).tap();
  await frameA.getByText("Choisissez un autre pseudonyme").waitFor();
  await frameA.getByLabel("Votre pseudonyme (public)").fill("Marion");
  await frameA.getByRole("button", { name: "Publier" }).tap();
  await frameA.getByRole("heading", { name: title }).waitFor();
  await frameA.locator("strong", { hasText: "25 cm" }).waitFor();

  const b = await phone(browser);
  const { frame: frameB } = await openCommunity(b);
  await frameB.getByRole("checkbox", { name: "Sur cette page seulement" }).waitFor();
  await frameB.getByRole("button", { name: new RegExp(title.replace(/[()?]/g, ".")) }).tap();
  await frameB.getByLabel("Votre réponse").fill("Oui, son pied fait 18 cm de profondeur.");
  await frameB.getByLabel("Votre pseudonyme (public)").fill("Lucas");
  await frameB.getByRole("button", { name: "Publier" }).tap();
  await frameB.getByText("Oui, son pied fait 18 cm").waitFor();

  // A sees the answer without reloading, and accepts it.
  await frameA.getByText("Oui, son pied fait 18 cm").waitFor({ timeout: 20_000 });
  await frameA.getByRole("button", { name: "C'est la bonne réponse" }).tap();
  await frameA.getByText("Réponse acceptée").waitFor();

  // The brand answers from the console.
  const agent = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
  const consolePage = await signIn(agent);
  await consolePage.getByRole("button", { name: "Communauté", exact: true }).click();
  await consolePage.getByRole("button", { name: `Ouvrir : ${title}` }).click();
  await consolePage.getByLabel("Répondre au nom de la marque").fill("Bonjour, oui : **18 cm** de pied.");
  await consolePage.getByRole("button", { name: "Envoyer" }).click();
  await frameA.getByText("Réponse officielle").waitFor({ timeout: 20_000 });
  await pageA.screenshot({ path: path.join(OUT, "phone-community-thread.png") });

  // A spam answer reported by three visitors (B in the widget, two others) is hidden...
  const thread = (await (await fetch(BASE + "/v1/sites/demo/community/threads?q=" + encodeURIComponent("étagère 25 cm"))).json())
    .threads.find((t) => t.title === title);
  const spammer = await apiVisitor();
  const spam = await (await spammer("POST", `/v1/community/threads/${thread.id}/answers`, { body: "Achetez ailleurs, c'est moins cher", pseudonym: "Promo" })).json();
  await frameB.getByText("Achetez ailleurs").waitFor({ timeout: 20_000 });
  await frameB.getByRole("listitem").filter({ hasText: "Achetez ailleurs" }).getByRole("button", { name: "Signaler" }).tap();
  await frameB.getByText("Signalé, merci.").waitFor();
  for (const reporter of [await apiVisitor(), await apiVisitor()]) {
    assert.equal((await reporter("POST", `/v1/community/posts/${spam.id}/report`, { reason: "Publicité" })).status, 204);
  }
  await frameA.getByText("Achetez ailleurs").waitFor({ state: "detached", timeout: 20_000 });

  // ...until a moderator restores it.
  await consolePage.reload();
  await consolePage.getByRole("button", { name: "Communauté", exact: true }).click();
  const queued = consolePage.getByRole("listitem").filter({ hasText: "Achetez ailleurs" });
  await queued.getByText("3 signalement(s)").waitFor();
  await consolePage.screenshot({ path: path.join(OUT, "console-community.png") });
  await queued.getByRole("button", { name: "Publier" }).click();
  await queued.waitFor({ state: "detached" });
  await frameA.getByText("Achetez ailleurs").waitFor({ timeout: 20_000 });

  // The accepted answer becomes a FAQ draft in the editor, unpublished until the agent publishes it.
  await consolePage.getByRole("button", { name: `Ouvrir : ${title}` }).click();
  await consolePage.getByRole("button", { name: "Proposer comme entrée de FAQ" }).click();
  assert.equal(await consolePage.getByLabel("Question", { exact: true }).inputValue(), title);
  assert.match(await consolePage.getByLabel("Réponse (Markdown)").inputValue(), /son pied fait 18 cm/);
  await agent.close();

  // A leaves; B answers again; back on the site, A sees a new answer waiting before opening anything.
  await pageA.goto("about:blank");
  await frameB.getByLabel("Votre réponse").fill("Et elle éclaire très bien une étagère.");
  await frameB.getByRole("button", { name: "Publier" }).tap();
  await frameB.getByText("Et elle éclaire très bien").waitFor();
  await pageA.goto(BASE + "/");
  await pageA.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  await widgetFrame(pageA).getByRole("button", { name: /Communauté.*1 nouvelle\(s\) réponse\(s\)/ }).waitFor();
  await a.close();
  await b.close();
});
