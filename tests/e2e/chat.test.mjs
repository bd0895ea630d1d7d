// The chat end to end: a visitor on a phone writes, an agent in the console takes the conversation with
// the visitor's searches beside it and replies, the visitor sees it live; the phone's network drops and
// comes back in the middle, and nothing is lost or shown twice. Then typing and read states both ways,
// a canned reply, the visitor ending, rating and getting the transcript by email, and, with the agent
// away, the offline path offering a callback. Twenty long messages: the newest stays in view on both
// sides, and a visitor reading further up is not moved but told a message came.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import fs from "node:fs";
import { BASE, MAIL_DIR, OUT, audit, eventually, launch, openChat, phone, signIn, widgetFrame } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("hand-off to an agent with context, replies both ways, and a network cut loses and repeats nothing", async () => {
  const visitor = await phone(browser);
  // The phone's connection goes through a proxy the test can cut, as a tunnel would.
  let cut = false;
  const open = [];
  await visitor.routeWebSocket(/\/v1\/live/, (socket) => {
    if (cut) {
      socket.close();
      return;
    }
    socket.connectToServer();
    open.push(socket);
  });
  const page = await visitor.newPage();
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("searchbox", { name: "Rechercher dans l'aide" }).fill("lampe clignote");
  await page.waitForResponse((r) => r.url().includes("/faq/events") && (r.request().postData() || "").includes("lampe clignote"));
  await frame.getByRole("button", { name: /^Discuter avec nous/ }).tap();
  await frame.getByRole("heading", { name: "Discuter avec nous", level: 1 }).waitFor();
  // Before typing, the visitor is told whether someone can answer: no agent has the console open yet
  // (the desk itself is open around the clock in the tests' configuration), so nobody can, and a
  // callback is offered.
  await frame.getByText(/Personne n'est disponible/).waitFor();
  await frame.getByRole("button", { name: "Être rappelé" }).waitFor();
  const composer = frame.getByLabel("Votre message");
  assert.equal(await composer.inputValue(), "lampe clignote", "the search is the first draft");
  await composer.fill("Bonjour, ma lampe <b>clignote</b>.");
  await frame.getByRole("button", { name: "Envoyer" }).tap();
  await frame.getByText("Bonjour, ma lampe <b>clignote</b>.").waitFor();
  await frame.getByText("Envoyé").waitFor();
  // While waiting, the visitor knows their place in the queue.
  await frame.getByText(/Votre place dans la file : \d+/).waitFor();

  const agent = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
  // Counts the console's chimes: each is a new AudioContext.
  await agent.addInitScript(() => {
    window.chimes = 0;
    const Real = window.AudioContext;
    window.AudioContext = class extends Real {
      constructor(...args) { super(...args); window.chimes += 1; }
    };
  });
  const consolePage = await signIn(agent);
  const waiting = consolePage.getByRole("listitem").filter({ hasText: "Bonjour, ma lampe <b>clignote</b>." });
  await waiting.getByText("lampe clignote").waitFor();
  await waiting.getByRole("button").click();
  await consolePage.getByRole("button", { name: "Prendre la conversation" }).click();
  // Beside the conversation, what the visitor searched before asking.
  await consolePage.locator("dd", { hasText: "lampe clignote" }).waitFor();
  assert.equal(await consolePage.locator("dd").first().textContent(), BASE + "/", "the page the visitor was on");
  await consolePage.getByLabel("Votre réponse").fill("Bonjour, je regarde cela avec vous.");
  await consolePage.getByRole("button", { name: "Envoyer" }).click();
  await frame.getByText("Bonjour, je regarde cela avec vous.").waitFor();
  await frame.getByText("Camille vous répond").waitFor();

  // The phone loses the network: its message waits, the agent writes meanwhile, then it comes back.
  cut = true;
  await visitor.setOffline(true);
  // The browser's `offline` event is enough: the widget says so before any socket times out.
  await frame.getByText("Connexion perdue, reconnexion…").waitFor({ timeout: 3_000 });
  for (const socket of open.splice(0)) await socket.close();
  await composer.fill("Je suis dans le train.");
  await frame.getByRole("button", { name: "Envoyer" }).tap();
  await frame.getByText("Envoi…").waitFor();
  await consolePage.getByLabel("Votre réponse").fill("Avez-vous essayé une autre prise ?");
  await consolePage.getByRole("button", { name: "Envoyer" }).click();
  await consolePage.getByText("Avez-vous essayé une autre prise ?").waitFor();
  cut = false;
  await visitor.setOffline(false);
  await frame.getByText("Avez-vous essayé une autre prise ?").waitFor({ timeout: 20_000 });
  await consolePage.getByText("Je suis dans le train.").waitFor({ timeout: 10_000 });
  assert.ok(await eventually(async () => (await frame.getByText("Envoi…").count()) === 0), "every message acknowledged");
  await page.screenshot({ path: path.join(OUT, "phone-chat.png") });
  for (const text of ["Je suis dans le train.", "Avez-vous essayé une autre prise ?", "Bonjour, je regarde cela avec vous."]) {
    assert.equal(await frame.getByText(text).count(), 1, `${text} shown once`);
    assert.equal(await consolePage.getByText(text).count(), 1, `${text} once in the console`);
  }
  // A waiting conversation shows in the console's title.
  assert.match(await consolePage.title(), /^(\(\d+\) )?Accueil$/);

  // Each side sees the other typing, and the visitor sees the agent has read their messages.
  const reply = consolePage.getByLabel("Votre réponse");
  await reply.pressSequentially("Un inst");
  await frame.getByText("Camille écrit…").waitFor();
  await composer.pressSequentially("Mer");
  await consolePage.getByText("Le visiteur écrit…").waitFor();
  // Each of the visitor's messages says when it went and how far it got.
  await frame.getByText(/^\d{2}:\d{2} · Lu$/).first().waitFor();
  await consolePage.getByText(/· lu/).first().waitFor();
  await audit(page.frames().find((f) => f.url().includes("/widget/chat/")), "chat in progress");
  await audit(consolePage.mainFrame(), "console conversation");

  // A canned reply, written once, inserted in the reply box.
  await consolePage.locator("summary", { hasText: "Réponses types" }).click();
  await consolePage.getByLabel("Titre").fill("Prise");
  await consolePage.getByLabel("Texte").fill("Essayez une autre prise, puis dites-moi.");
  await consolePage.getByRole("button", { name: "Ajouter la réponse type" }).click();
  await reply.fill("");
  await consolePage.getByLabel("Réponses types").selectOption({ label: "Prise" });
  assert.equal(await reply.inputValue(), "Essayez une autre prise, puis dites-moi.");
  // Or from the keyboard: "/" and a few letters offer it, Enter puts it in the reply box.
  await reply.fill("");
  await reply.pressSequentially("/pri");
  const offered = consolePage.getByRole("listbox", { name: "Réponses types" }).getByRole("option", { name: "Prise" });
  await offered.waitFor();
  assert.equal(await offered.getAttribute("aria-selected"), "true");
  await reply.press("Enter");
  assert.equal(await reply.inputValue(), "Essayez une autre prise, puis dites-moi.");
  // Enter sends; Shift+Enter starts a new line.
  await reply.press("Enter");
  await frame.getByText("Essayez une autre prise, puis dites-moi.").waitFor();
  // The box empties when the server has answered the send, which may come just after the visitor
  // sees the message (the server pushes it before it answers).
  assert.ok(await eventually(async () => (await reply.inputValue()) === ""), "sent, the box is empty again");
  await reply.pressSequentially("Première ligne");
  await reply.press("Shift+Enter");
  await reply.pressSequentially("seconde ligne");
  assert.equal(await reply.inputValue(), "Première ligne\nseconde ligne");
  await reply.fill("");
  // Beside the conversation, what the visitor searched; in it, each message with its time.
  const aboutVisitor = consolePage.getByRole("complementary", { name: "Le visiteur" });
  await aboutVisitor.getByText("lampe clignote").waitFor();
  const inConsole = consolePage.getByRole("region", { name: "Conversation" });
  assert.match(await inConsole.getByRole("listitem").filter({ hasText: "Je suis dans le train." }).textContent(), /\d{2}:\d{2}/);

  // With the panel closed, a reply is unread: the launcher counts it and the agent does not see it
  // read until the visitor opens the panel again.
  await frame.getByRole("button", { name: "Fermer" }).first().tap();
  await consolePage.getByLabel("Votre réponse").fill("Je reste disponible si besoin.");
  await consolePage.getByRole("button", { name: "Envoyer" }).click();
  const launcher = page.getByRole("button", { name: /^Ouvrir l'aide et le contact \(1/ });
  await launcher.waitFor();
  const lastReply = consolePage.getByRole("listitem").filter({ hasText: "Je reste disponible si besoin." });
  await lastReply.waitFor();
  assert.equal(await lastReply.getByText(/· lu/).count(), 0, "not read while the panel is closed");
  await launcher.tap();
  await lastReply.getByText(/· lu/).waitFor();

  // The visitor ends the chat, rates it and gets it by email; the address goes nowhere else.
  await composer.fill("");
  await frame.getByRole("button", { name: "Terminer la conversation" }).tap();
  await frame.getByRole("button", { name: "Oui, terminer" }).tap();
  await frame.getByText("La conversation est terminée.").waitFor();
  await consolePage.getByText("Conversation terminée.").waitFor();
  await frame.getByRole("group", { name: "Comment s’est passée cette conversation ?" }).waitFor();
  await frame.getByRole("button", { name: "4 sur 5" }).tap();
  await frame.getByText("Merci pour votre avis.").waitFor();
  const email = frame.getByLabel("Recevoir la conversation par e-mail");
  await email.fill("lea@localhost");
  await frame.getByRole("button", { name: "Envoyer la conversation" }).tap();
  await frame.getByText(/Vérifiez l’adresse e-mail/).waitFor();
  assert.equal(await email.getAttribute("aria-invalid"), "true");
  await audit(page.frames().find((f) => f.url().includes("/widget/chat/")), "chat ended, with a field error");
  await email.fill("lea.martin@exemple.fr");
  await frame.getByRole("button", { name: "Envoyer la conversation" }).tap();
  await frame.getByText(/C’est envoyé/).waitFor();
  await page.screenshot({ path: path.join(OUT, "phone-chat-ended.png") });
  const mails = fs.readdirSync(MAIL_DIR).filter((name) => name.endsWith(".eml"));
  const mail = mails.map((name) => fs.readFileSync(path.join(MAIL_DIR, name), "utf8")).find((m) => m.includes("To: lea.martin@exemple.fr"));
  assert.ok(mail, "the transcript was handed to the mail transport");
  const html = Buffer.from(mail.split("text/html")[1].split("\r\n\r\n")[1].split("--")[0].replace(/\s/g, ""), "base64").toString("utf8");
  assert.ok(html.includes("Bonjour, ma lampe &lt;b&gt;clignote&lt;/b&gt;."), "messages are text in the email too");

  // With the agent online, a new visitor is told someone can answer now, before typing.
  const other = await phone(browser);
  const otherPage = await other.newPage();
  const openChat = async () => {
    await otherPage.goto(BASE + "/");
    await otherPage.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
    await widgetFrame(otherPage).getByRole("button", { name: /^Discuter avec nous/ }).tap();
  };
  await openChat();
  const otherFrame = widgetFrame(otherPage);
  await otherFrame.getByText("Un conseiller peut vous répondre maintenant").waitFor();
  // The agent steps away: the next visit is told nobody can answer, and offered a callback.
  await consolePage.getByLabel("Mon statut pour le chat").selectOption("away");
  assert.ok(
    await eventually(async () => (await (await fetch(BASE + "/v1/sites/demo/chat/availability")).json()).agents === 0),
    "the agent away counts as nobody",
  );
  await openChat();
  await otherFrame.getByText(/Personne n'est disponible/).waitFor();
  // Leaving a message still works; the console hears a new waiting chat and chimes.
  const chimesBefore = await consolePage.evaluate(() => window.chimes);
  await otherFrame.getByLabel("Votre message").fill("Je repasserai plus tard.");
  await otherFrame.getByRole("button", { name: "Envoyer" }).tap();
  // Sent, then delivered: the console (away, but open) received it.
  await otherFrame.getByText(/^\d{2}:\d{2} · Distribué$/).waitFor();
  assert.ok(await eventually(async () => (await consolePage.evaluate(() => window.chimes)) > chimesBefore), "a chime");
  assert.match(await consolePage.title(), /^\(\d+\) Accueil$/, "the waiting chat in the title");
  await otherFrame.getByRole("button", { name: "Être rappelé" }).tap();
  await otherFrame.getByRole("heading", { name: "Être rappelé", level: 1 }).waitFor();
  await consolePage.getByLabel("Mon statut pour le chat").selectOption("online");
  await consolePage.screenshot({ path: path.join(OUT, "console-chat.png") });
  await other.close();
  await agent.close();
  await visitor.close();
});

/** Whether `locator`'s element is wholly on screen: inside every scrolling box around it and the window. */
function whollyVisible(locator) {
  return locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      if (/(auto|scroll|hidden)/.test(getComputedStyle(parent).overflowY)) {
        const clip = parent.getBoundingClientRect();
        if (box.top < clip.top - 1 || box.bottom > clip.bottom + 1) return false;
      }
    }
    return box.top >= -1 && box.bottom <= window.innerHeight + 1;
  });
}

test("twenty long messages: the newest is always wholly in view on the phone and in the console", async () => {
  const visitor = await phone(browser);
  const { page, frame } = await openChat(visitor);
  const composer = frame.getByLabel("Votre message");
  const long = (who, n) => `${who} ${n} — ` + "une phrase assez longue pour tenir plusieurs lignes sur un téléphone, ".repeat(4) + "fin.";
  await composer.fill(long("Visiteur", 1));
  await frame.getByRole("button", { name: "Envoyer" }).tap();

  const agent = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "fr-FR" });
  const consolePage = await signIn(agent);
  await consolePage.getByRole("listitem").filter({ hasText: long("Visiteur", 1) }).getByRole("button").click();
  await consolePage.getByRole("button", { name: "Prendre la conversation" }).click();
  const reply = consolePage.getByLabel("Votre réponse");

  // Ten each way, alternating: after each, the newest is wholly visible on both sides.
  const bothShowWhole = async (text) => {
    // In the console, the conversation itself (the inbox beside it previews the last message too).
    const conversation = consolePage.getByRole("region", { name: "Conversation" });
    for (const [side, where] of [["phone", frame], ["console", conversation]]) {
      const message = where.getByText(text, { exact: true });
      await message.waitFor();
      assert.ok(await eventually(() => whollyVisible(message), 3_000), `${side}: "${text.slice(0, 12)}…" wholly in view`);
    }
  };
  await bothShowWhole(long("Visiteur", 1));
  for (let n = 1; n <= 10; n += 1) {
    if (n > 1) {
      await composer.fill(long("Visiteur", n));
      await frame.getByRole("button", { name: "Envoyer" }).tap();
      await bothShowWhole(long("Visiteur", n));
    }
    await reply.fill(long("Conseillère", n));
    await consolePage.getByRole("button", { name: "Envoyer" }).click();
    await bothShowWhole(long("Conseillère", n));
  }
  // Like a messenger: the composer stays in view under the newest message, the day has its
  // separator, each message its time, and each of the agent's runs starts with her face and name.
  assert.ok(await whollyVisible(composer), "the composer is in view without scrolling");
  const history = frame.getByRole("region", { name: "Conversation" });
  await history.getByText("Aujourd'hui", { exact: true }).waitFor();
  assert.equal(await history.getByText("Camille", { exact: true }).count(), 10, "one name per run of the agent's");
  const lastOfAgent = history.getByRole("listitem").filter({ hasText: long("Conseillère", 10) });
  assert.match(await lastOfAgent.textContent(), /\d{2}:\d{2}$/, "each message has its time");
    await page.screenshot({ path: path.join(OUT, "phone-chat-twenty-messages.png") });
  await consolePage.screenshot({ path: path.join(OUT, "console-chat-twenty-messages.png") });

  // A visitor who scrolled up to read stays where they were, and is told a message came.
  const scroller = frame.getByRole("region", { name: "Conversation" });
  await scroller.evaluate((main) => { main.scrollTop = 0; });
  await reply.fill("Un message pendant votre lecture.");
  await consolePage.getByRole("button", { name: "Envoyer" }).click();
  const newer = frame.getByRole("button", { name: "Voir les nouveaux messages" });
  await newer.waitFor();
  await page.screenshot({ path: path.join(OUT, "phone-chat-new-messages-button.png") });
  assert.equal(await scroller.evaluate((main) => main.scrollTop), 0, "the text being read did not move");
  await newer.tap();
  assert.ok(await eventually(() => whollyVisible(frame.getByText("Un message pendant votre lecture.")), 3_000), "the button shows it");
  assert.equal(await newer.count(), 0, "and goes");
  assert.equal(await history.getByText("Camille", { exact: true }).count(), 10, "a message right after joins its run");

  // The on-screen keyboard takes half the screen (the loader fits the frame to what is left): the
  // newest message and the composer stay in view.
  await page.setViewportSize({ width: 390, height: 480 });
  const newest = frame.getByText("Un message pendant votre lecture.");
  assert.ok(await eventually(() => whollyVisible(newest), 3_000), "the newest message above the keyboard");
  assert.ok(await whollyVisible(composer), "the composer above the keyboard");
  await page.screenshot({ path: path.join(OUT, "phone-chat-keyboard.png") });

  // The next day, yesterday's messages are under "Hier".
  await visitor.clock.setFixedTime(Date.now() + 24 * 3600 * 1000);
  const { frame: later } = await openChat(visitor);
  await later.getByRole("region", { name: "Conversation" }).getByText("Hier", { exact: true }).waitFor();
  await agent.close();
  await visitor.close();
});
