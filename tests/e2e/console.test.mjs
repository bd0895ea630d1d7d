// The agent console: sign-in refused with a wrong password, then accepted, then sign-out; the next
// waiting conversation one key away; an editor's console offers the FAQ and the report, not the front
// desk; anyone changes their password; an administrator manages the team, and every change lands in
// the change log.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import { AGENT, BASE, OUT, audit, launch, mailedLink, openChat, phone, signIn } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("an agent signs in, a wrong password is refused, and signing out works", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const page = await context.newPage();
  await page.goto(BASE + "/console/");
  const email = page.getByLabel("Adresse e-mail");
  const password = page.getByLabel("Mot de passe");
  const signIn = page.getByRole("button", { name: "Se connecter" });

  await signIn.click();
  await page.getByText("Saisissez votre adresse e-mail.").waitFor();
  assert.equal(await email.getAttribute("aria-invalid"), "true");
  assert.equal(await email.getAttribute("aria-describedby"), "ac-email-error");

  await email.fill(AGENT.email);
  await password.fill("not the password");
  await signIn.click();
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.textContent(), /ne correspondent à aucun compte/);
  assert.deepEqual(await context.cookies(), [], "a refused sign-in sets no cookie");
  assert.equal(await email.inputValue(), AGENT.email, "the email is kept for the next try");

  await password.fill(AGENT.password);
  await signIn.click();
  await page.getByRole("heading", { name: "Boîte de réception" }).waitFor();
  const cookies = await context.cookies();
  const cookie = cookies.find((c) => c.name === "accueil_agent");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  // The browser is remembered for the sign-in route only, so others' wrong guesses never lock it out.
  const device = cookies.find((c) => c.name === "accueil_device");
  assert.deepEqual([device.path, device.httpOnly, device.sameSite], ["/v1/agent/login", true, "Strict"]);
  await page.screenshot({ path: path.join(OUT, "console-inbox.png") });

  await page.reload();
  await page.getByRole("heading", { name: "Boîte de réception" }).waitFor();

  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await signIn.waitFor();
  await page.reload();
  await page.getByRole("button", { name: "Se connecter" }).waitFor();
  await context.close();
});

test("a page on another port of the same host can neither sign the agent out nor change anything", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const consolePage = await signIn(context);
  // Another origin of the same site (same host, another port): the browser sends the SameSite=Strict
  // cookie along with its auto-submitted form. The server must refuse it from its Origin.
  const attacker = http.createServer((request, response) => {
    response.setHeader("content-type", "text/html; charset=utf-8");
    response.end(`<!doctype html><form method="post" action="${BASE}/v1/agent/logout"></form>
      <script>document.forms[0].submit()</script>`);
  });
  await new Promise((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  try {
    const page = await context.newPage();
    const answered = page.waitForResponse((r) => r.url() === BASE + "/v1/agent/logout");
    await page.goto(`http://127.0.0.1:${attacker.address().port}/`);
    assert.equal((await answered).status(), 403, "the forged sign-out is refused");
    const stillIn = await consolePage.evaluate(() => fetch("/v1/agent/me").then((r) => r.status));
    assert.equal(stillIn, 200, "the agent is still signed in");
  } finally {
    attacker.close();
    await context.close();
  }
});

test("the next waiting conversation is one key away in the console", async () => {
  const agent = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const consolePage = await signIn(agent);
  const visitors = [];
  for (const words of ["Première question en attente", "Seconde question en attente"]) {
    const visitor = await phone(browser);
    const { frame } = await openChat(visitor);
    await frame.getByLabel("Votre message").fill(words);
    await frame.getByRole("button", { name: "Envoyer" }).tap();
    await frame.getByText(/^\d{2}:\d{2} · (Envoyé|Distribué)$/).waitFor();
    visitors.push(visitor);
  }
  const conversation = consolePage.getByRole("region", { name: "Conversation" });
  await consolePage.getByRole("heading", { name: "Boîte de réception", level: 1 }).click();
  // N, outside a text field, opens the next waiting conversation; again, the one after it.
  await consolePage.keyboard.press("n");
  await conversation.getByText("Première question en attente").waitFor();
  await consolePage.getByRole("button", { name: "Prendre la conversation" }).click();
  await consolePage.getByLabel("Votre réponse").waitFor();
  await consolePage.getByRole("heading", { name: "Boîte de réception", level: 1 }).click();
  await consolePage.keyboard.press("n");
  await conversation.getByText("Seconde question en attente").waitFor();
  // Typing an "n" in a field is only a letter.
  const button = consolePage.getByRole("button", { name: "Conversation en attente suivante (N)" });
  assert.equal(await button.getAttribute("aria-keyshortcuts"), "N");
  await consolePage.getByRole("button", { name: "Prendre la conversation" }).click();
  await consolePage.getByLabel("Votre réponse").pressSequentially("non");
  await conversation.getByText("Seconde question en attente").waitFor();
  assert.equal(await consolePage.getByLabel("Votre réponse").inputValue(), "non");
  await consolePage.getByRole("heading", { name: "Boîte de réception", level: 1 }).click();
  await consolePage.keyboard.press("n");
  await consolePage.getByText("Aucune autre conversation n'attend.").waitFor();
  await consolePage.screenshot({ path: path.join(OUT, "console-conversation-1280.png") });
  await audit(consolePage.mainFrame(), "console conversation with the visitor beside it");
  for (const visitor of visitors) await visitor.close();
  await agent.close();
});

test("an editor's console offers the FAQ and what visitors look for, not the front desk", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const page = await context.newPage();
  // The live connection is the front desk's: an editor's console must not even try it.
  const sockets = [];
  page.on("websocket", (socket) => sockets.push(socket.url()));
  await page.goto(BASE + "/console/");
  await page.getByLabel("Adresse e-mail").fill(process.env.ACCUEIL_EDITOR_EMAIL);
  await page.getByLabel("Mot de passe").fill(AGENT.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("heading", { name: "FAQ", level: 1 }).waitFor();
  const sections = page.getByRole("navigation", { name: "Sections" }).getByRole("button");
  assert.deepEqual(await sections.allTextContents(), ["FAQ", "Ce que cherchent les visiteurs", "Tableau de bord", "Mon compte"]);
  assert.equal(await page.getByRole("combobox", { name: "Mon statut pour le chat" }).count(), 0, "no chat presence");
  await audit(page.mainFrame(), "an editor's console");
  await page.screenshot({ path: path.join(OUT, "console-editor.png") });
  await sections.filter({ hasText: "Ce que cherchent les visiteurs" }).click();
  await page.getByRole("heading", { name: "Ce que cherchent les visiteurs", level: 1 }).waitFor();
  // What the console does not offer, the server refuses too.
  const refused = await page.evaluate(async () => {
    const response = await fetch("/v1/agent/conversations?site=demo&filter=all");
    return [response.status, (await response.json()).error.fields.map(({ field, reason }) => ({ field, reason }))];
  });
  assert.deepEqual(refused, [403, [{ field: "role", reason: "editor" }]]);
  assert.deepEqual(sockets, [], "no live connection was opened");
  await context.close();
});

test("anyone changes their own password, and only the new one signs in", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const page = await signIn(context, BASE, { email: process.env.ACCUEIL_EDITOR_EMAIL, password: AGENT.password }, "FAQ");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Mon compte" }).click();
  const form = page.getByRole("form", { name: "Changer le mot de passe" });
  const current = form.getByLabel("Mot de passe actuel");
  const fresh = form.getByLabel("Nouveau mot de passe");
  await current.fill("not my password");
  await fresh.fill("a brand new passphrase");
  await form.getByRole("button", { name: "Changer le mot de passe" }).click();
  await form.getByText("Ce n’est pas le mot de passe actuel de ce compte.").waitFor();
  assert.equal(await current.getAttribute("aria-invalid"), "true");
  await current.fill(AGENT.password);
  await fresh.fill("short");
  await form.getByRole("button", { name: "Changer le mot de passe" }).click();
  await form.getByText("Trop court : 10 caractères au moins.").waitFor();
  assert.equal(await fresh.getAttribute("aria-invalid"), "true");
  await fresh.fill("a brand new passphrase");
  await form.getByRole("button", { name: "Changer le mot de passe" }).click();
  await form.getByRole("status").filter({ hasText: "Mot de passe changé." }).waitFor();
  await audit(page.mainFrame(), "my account");
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.getByLabel("Adresse e-mail").fill(process.env.ACCUEIL_EDITOR_EMAIL);
  await page.getByLabel("Mot de passe").fill("a brand new passphrase");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("heading", { name: "FAQ", level: 1 }).waitFor();
  await context.close();
});

test("an administrator changes a colleague's role, then deactivates them, and the change log says so", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const page = await signIn(context);
  await page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Équipe" }).click();
  await page.getByRole("heading", { name: "Équipe", level: 1 }).waitFor();
  const mine = page.getByRole("form", { name: /camille@maison-lumiere\.example \(vous\)/ });
  assert.equal(await mine.getByRole("combobox", { name: "Rôle" }).isDisabled(), true, "no demoting oneself");
  assert.equal(await mine.getByRole("button", { name: "Désactiver" }).count(), 0, "no deactivating oneself");
  // The password Ines changed in the test before is in the log, as a change without before or after.
  const log = page.getByRole("table", { name: "Journal des modifications" });
  await log.getByRole("row", { name: /Inès.*Mot de passe changé.*ines@maison-lumiere\.example/ }).waitFor();

  const ines = page.getByRole("form", { name: /ines@maison-lumiere\.example/ });
  // A site the server does not have is refused next to the field.
  await ines.getByRole("textbox", { name: "Sites" }).fill("demo, nulle-part");
  await ines.getByRole("button", { name: "Enregistrer" }).click();
  await ines.getByText("Des sites sur lesquels vous travaillez, par leur identifiant (comme demo), séparés par des virgules.").waitFor();
  assert.equal(await ines.getByRole("textbox", { name: "Sites" }).getAttribute("aria-invalid"), "true");
  await ines.getByRole("textbox", { name: "Sites" }).fill("demo");
  await ines.getByRole("combobox", { name: "Rôle" }).selectOption({ label: "Agent : chat, rappels, communauté" });
  await ines.getByRole("button", { name: "Enregistrer" }).click();
  await ines.getByRole("status").filter({ hasText: "Enregistré." }).waitFor();
  await log.getByRole("row", { name: /Rôle ou sites changés.*ines@maison-lumiere\.example.*Éditeur.*Agent/ }).waitFor();

  await ines.getByRole("button", { name: "Désactiver" }).click();
  await ines.getByRole("button", { name: "Oui, désactiver" }).click();
  await ines.getByText("Désactivé", { exact: true }).waitFor();
  await log.getByRole("row", { name: /Compte désactivé.*ines@maison-lumiere\.example/ }).waitFor();
  await audit(page.mainFrame(), "the team");
  await page.screenshot({ path: path.join(OUT, "console-team.png"), fullPage: true });

  // Her password no longer opens the console.
  const refused = await page.evaluate(async (email) => {
    const response = await fetch("/v1/agent/login", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "x".repeat(12) }),
    });
    return response.status;
  }, process.env.ACCUEIL_EDITOR_EMAIL);
  assert.equal(refused, 401);
  await context.close();
});

test("an administrator invites an editor by email, who chooses a password, edits the FAQ, and later resets it", async () => {
  const noe = "noe@maison-lumiere.example";
  const admin = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const page = await signIn(admin);
  await page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Équipe" }).click();
  const invite = page.getByRole("form", { name: "Inviter une personne" });
  await invite.getByRole("textbox", { name: "Nom" }).fill("Noé");
  await invite.getByRole("textbox", { name: "Adresse e-mail" }).fill("noe");
  await invite.getByRole("combobox", { name: "Rôle" }).selectOption({ label: "Éditeur : FAQ et recherches" });
  await invite.getByRole("textbox", { name: "Sites" }).fill("demo");
  await invite.getByRole("button", { name: "Envoyer l’invitation" }).click();
  // A wrong address is refused next to its field, and nothing is lost.
  await invite.getByText("Vérifiez l’adresse e-mail, de la forme nom@exemple.fr.").waitFor();
  assert.equal(await invite.getByRole("textbox", { name: "Adresse e-mail" }).getAttribute("aria-invalid"), "true");
  assert.equal(await invite.getByRole("textbox", { name: "Nom" }).inputValue(), "Noé");
  await invite.getByRole("textbox", { name: "Adresse e-mail" }).fill(noe);
  await invite.getByRole("button", { name: "Envoyer l’invitation" }).click();
  await invite.getByRole("status").filter({ hasText: "Invitation envoyée." }).waitFor();
  const account = page.getByRole("form", { name: /noe@maison-lumiere\.example/ });
  await account.getByText("Invitation envoyée, pas encore acceptée").waitFor();
  const log = page.getByRole("table", { name: "Journal des modifications" });
  await log.getByRole("row", { name: /Camille.*Invitation envoyée.*noe@maison-lumiere\.example.*Éditeur/ }).waitFor();
  await audit(page.mainFrame(), "the team with an invitation form");

  // Noé opens the mail's link in their own browser, chooses a password and lands in the console.
  const invitation = await mailedLink(noe, "invitation");
  assert.ok(invitation.startsWith(BASE + "/console/#invitation="), invitation);
  const newcomer = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "fr-FR", isMobile: true, hasTouch: true });
  const noePage = await newcomer.newPage();
  await noePage.goto(invitation);
  await noePage.getByRole("heading", { name: "Bienvenue dans la console Accueil", level: 1 }).waitFor();
  assert.equal(new URL(noePage.url()).hash, "", "the token leaves the address bar");
  assert.equal(await noePage.getByRole("textbox", { name: "Votre compte" }).inputValue(), noe);
  await audit(noePage.mainFrame(), "an invitation's welcome");
  await noePage.screenshot({ path: path.join(OUT, "console-invitation.png") });
  const chosen = noePage.getByLabel("Nouveau mot de passe");
  await chosen.fill("court");
  await noePage.getByRole("button", { name: "Enregistrer et me connecter" }).click();
  await noePage.getByText("Trop court : 10 caractères au moins.").waitFor();
  assert.equal(await chosen.getAttribute("aria-invalid"), "true");
  await chosen.fill("la lampe de Noé");
  await noePage.getByRole("button", { name: "Enregistrer et me connecter" }).click();
  await noePage.getByRole("heading", { name: "FAQ", level: 1 }).waitFor();
  const sections = noePage.getByRole("navigation", { name: "Sections" }).getByRole("button");
  assert.deepEqual(await sections.allTextContents(), ["FAQ", "Ce que cherchent les visiteurs", "Tableau de bord", "Mon compte"]);
  const chats = await noePage.evaluate(async () => (await fetch("/v1/agent/conversations?site=demo&filter=all")).status);
  assert.equal(chats, 403, "an editor sees no chats");
  await page.reload();
  await page.getByRole("navigation", { name: "Sections" }).getByRole("button", { name: "Équipe" }).click();
  await log.getByRole("row", { name: /Noé.*Invitation acceptée.*noe@maison-lumiere\.example/ }).waitFor();

  // The link was used up: opened again, it says so and offers a new one.
  const again = await newcomer.newPage();
  await again.goto(invitation);
  await again.getByRole("alert").filter({ hasText: "Ce lien ne fonctionne plus" }).waitFor();

  // Later, Noé forgets the password: the sign-in page sends a reset link.
  await noePage.getByRole("button", { name: "Se déconnecter" }).click();
  await noePage.getByRole("button", { name: "Mot de passe oublié ?" }).click();
  await noePage.getByRole("heading", { name: "Choisir un nouveau mot de passe", level: 1 }).waitFor();
  await noePage.getByRole("button", { name: "Envoyer le lien" }).click();
  await noePage.getByText("Saisissez votre adresse e-mail.").waitFor();
  await noePage.getByLabel("Adresse e-mail").fill(noe);
  await noePage.getByRole("button", { name: "Envoyer le lien" }).click();
  await noePage.getByRole("status").filter({ hasText: "un lien vient d’y être envoyé" }).waitFor();
  await audit(noePage.mainFrame(), "a forgotten password");
  const reset = await mailedLink(noe, "reset", 2);
  await noePage.goto(reset);
  await noePage.getByRole("heading", { name: "Choisir un nouveau mot de passe", level: 1 }).waitFor();
  await noePage.getByLabel("Nouveau mot de passe").fill("une toute nouvelle phrase");
  await noePage.getByRole("button", { name: "Enregistrer et me connecter" }).click();
  await noePage.getByRole("heading", { name: "FAQ", level: 1 }).waitFor();
  await admin.close();
  await newcomer.close();
});
