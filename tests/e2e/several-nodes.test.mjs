// Two server nodes on one PostgreSQL behind nginx, as a brand that outgrew one machine runs them.
// Two agents, one on each node, take the same callback request at the same moment: one gets it, and
// the brand's webhook hears of the request and its call once each, though both nodes run the outbox.
// A client that spreads its requests over both nodes gets the limit once, not twice. Then a visitor on
// a phone chats through the balancer (on node A) while the agent's console is on node B; messages go
// both ways live, across nodes. Then node A is killed (SIGKILL, mid-conversation): the balancer sends
// the phone to node B, the widget resumes there, and on both sides every acknowledged message is shown
// once, none lost.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import { AGENT, BASE, OUT, eventually, launch, phone, signIn, widgetFrame } from "./browser.mjs";

const NODE_B = process.env.ACCUEIL_NODE_B_URL;
const NODE_A_PID = Number(process.env.ACCUEIL_NODE_A_PID);
const HUGO = { email: process.env.ACCUEIL_SECOND_AGENT_EMAIL, password: AGENT.password };
const WEBHOOK_SECRET = process.env.ACCUEIL_WEBHOOK_SECRET;

let browser;
/** The brand's webhook receiver: every delivery, with whether its signature is right. */
let receiver;
const deliveries = [];
before(async () => {
  assert.ok(NODE_B && NODE_A_PID && HUGO.email && WEBHOOK_SECRET,
    "run by `cargo xtask test`, which starts the nodes, the balancer and the second agent");
  browser = await launch();
  receiver = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => { body += chunk; });
    request.on("end", () => {
      const stamp = request.headers["x-accueil-timestamp"];
      const expected = "sha256=" + crypto.createHmac("sha256", WEBHOOK_SECRET).update(`${stamp}.${body}`).digest("hex");
      const event = JSON.parse(body);
      deliveries.push({ id: event.id, event: event.event, callback: event.callback.id, signed: request.headers["x-accueil-signature"] === expected });
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(Number(process.env.ACCUEIL_WEBHOOK_PORT), "127.0.0.1", resolve));
});
after(async () => {
  await browser?.close();
  receiver?.close();
});

/** A French mobile number no other test uses: the server caps requests per number and day. */
function mobile() {
  const digits = "1" + String(Math.floor(Math.random() * 1e7)).padStart(7, "0");
  return { typed: `06 ${digits.replace(/(\d\d)(?=\d)/g, "$1 ")}`, e164: `+336${digits}` };
}

/** An agent's callback queue, in the console of `base`. */
async function callbackQueue(base, agent) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
  const page = await signIn(context, base, agent);
  await page.getByRole("button", { name: /^Rappels/ }).click();
  await page.getByRole("heading", { name: "Rappels", level: 1 }).waitFor();
  return { context, page };
}

test("two agents on two nodes take one callback at once: one gets it, and the webhook hears each event once", async () => {
  // A visitor books through the balancer.
  const visitor = await phone(browser);
  const page = await visitor.newPage();
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("button", { name: /^Être rappelé/ }).tap();
  const number = mobile();
  await frame.getByLabel("Votre numéro de téléphone").fill(number.typed);
  await frame.getByText(`✓ ${number.typed}`).waitFor();
  await frame.getByLabel("À quel sujet ?").fill("Deux conseillers à la fois");
  await frame.getByRole("checkbox", { name: /J'accepte que Maison Lumière m'appelle/ }).check();
  await frame.getByRole("button", { name: "Demander l'appel" }).tap();
  await frame.getByText("Rappel prévu").waitFor();

  // Camille works through the balancer (node A), Hugo on node B; both take the request at once.
  const camille = await callbackQueue(BASE, AGENT);
  const hugo = await callbackQueue(NODE_B, HUGO);
  const items = [camille, hugo].map(({ page }) => page.getByRole("listitem").filter({ hasText: number.e164 }));
  await Promise.all(items.map((item) => item.getByRole("button", { name: /^Prendre en charge/ }).waitFor()));
  await Promise.all(items.map((item) => item.getByRole("button", { name: /^Prendre en charge/ }).click()));
  const outcomeForms = async () => {
    const counts = await Promise.all(items.map((item) => item.getByRole("radio", { name: "Joint" }).count()));
    return counts.reduce((a, b) => a + b, 0);
  };
  assert.ok(await eventually(async () => (await outcomeForms()) === 1, 10_000), "exactly one agent holds the request");
  const winner = (await items[0].getByRole("radio", { name: "Joint" }).count()) === 1 ? 0 : 1;
  const winnerName = winner === 0 ? "Camille" : "Hugo";
  // The other is told, and sees who has it.
  await items[1 - winner].getByText(`par ${winnerName}`).waitFor();
  assert.equal(await outcomeForms(), 1, "still one, once the loser's list is fresh");

  // The winner records the call: the request is closed.
  await items[winner].getByRole("radio", { name: "Joint" }).check();
  await items[winner].getByRole("button", { name: "Enregistrer" }).click();
  await items[winner].waitFor({ state: "detached" });

  // The webhook: "created" then "closed", each delivered once, signed, though both nodes deliver.
  assert.ok(await eventually(async () => deliveries.some((d) => d.event === "closed"), 30_000), "the closing event arrives");
  // Two more rounds of both nodes' outboxes (every 5 s): nothing is delivered again.
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const closed = deliveries.find((d) => d.event === "closed");
  const events = deliveries.filter((d) => d.callback === closed.callback);
  assert.deepEqual(events.map((d) => d.event), ["created", "closed"], JSON.stringify(deliveries));
  assert.equal(new Set(events.map((d) => d.id)).size, 2, "each event once");
  assert.ok(events.every((d) => d.signed), "each delivery signed with the site's secret");
  await camille.context.close();
  await hugo.context.close();
  await visitor.close();
});

test("a client that spreads its requests over both nodes gets the limit once", async () => {
  // 20 new sessions a minute per address. Half the requests go through the balancer (node A), half
  // straight to node B, each saying it comes from the same client, as a round-robin balancer would.
  const statuses = [];
  for (let i = 0; i < 12; i += 1) {
    for (const base of [BASE, NODE_B]) {
      const response = await fetch(base + "/v1/sessions", {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.50" },
        body: JSON.stringify({ site: "demo" }),
      });
      statuses.push(response.status);
      if (response.status === 429) assert.ok(Number(response.headers.get("retry-after")) > 0, "says when to retry");
    }
  }
  assert.equal(statuses.filter((s) => s === 201).length, 20, statuses.join(" "));
  assert.equal(statuses.filter((s) => s === 429).length, 4, statuses.join(" "));
});

test("a chat across two nodes survives the visitor's node being killed, nothing lost or shown twice", async () => {
  assert.ok(NODE_B && NODE_A_PID, "run by `cargo xtask test`, which starts the nodes and the balancer");
  const visitor = await phone(browser);
  const page = await visitor.newPage();
  // The widget's live connections, to see the one to node A end and another open through the balancer.
  const sockets = [];
  page.on("websocket", (socket) => { if (socket.url().includes("/v1/live")) sockets.push(socket); });
  await page.goto(BASE + "/");
  await page.getByRole("button", { name: "Ouvrir l'aide et le contact" }).tap();
  const frame = widgetFrame(page);
  await frame.getByRole("button", { name: /^Discuter avec nous/ }).tap();
  await frame.getByRole("heading", { name: "Discuter avec nous", level: 1 }).waitFor();
  const composer = frame.getByLabel("Votre message");
  const say = async (text) => {
    await composer.fill(text);
    await frame.getByRole("button", { name: "Envoyer" }).tap();
    await frame.getByText(text).waitFor();
  };
  await say("Bonjour, je passe par le nœud A.");
  await frame.getByText("Envoyé").first().waitFor();

  // The agent works on node B directly.
  const agent = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
  const consolePage = await signIn(agent, NODE_B);
  const waiting = consolePage.getByRole("listitem").filter({ hasText: "Bonjour, je passe par le nœud A." });
  await waiting.getByRole("button").click();
  await consolePage.getByRole("button", { name: "Prendre la conversation" }).click();
  const reply = async (text) => {
    await consolePage.getByLabel("Votre réponse").fill(text);
    await consolePage.getByRole("button", { name: "Envoyer" }).click();
    await consolePage.getByText(text).waitFor();
  };
  await reply("Bonjour depuis le nœud B.");
  await frame.getByText("Bonjour depuis le nœud B.").waitFor();
  await frame.getByText("Camille vous répond").waitFor();
  await say("Et voici ma deuxième question.");
  await consolePage.getByText("Et voici ma deuxième question.").waitFor();

  // Node A dies without a word; the visitor writes before and after the widget notices.
  assert.equal(sockets.length, 1, "one live connection so far, through the balancer to node A");
  process.kill(NODE_A_PID, "SIGKILL");
  await composer.fill("Écrit pendant la panne.");
  await frame.getByRole("button", { name: "Envoyer" }).tap();
  await reply("Réponse écrite pendant la panne.");
  await frame.getByText("Réponse écrite pendant la panne.").waitFor({ timeout: 30_000 });
  await consolePage.getByText("Écrit pendant la panne.").waitFor({ timeout: 30_000 });
  assert.ok(await eventually(async () => (await frame.getByText("Envoi…").count()) === 0, 20_000), "every message acknowledged");
  assert.ok(sockets[0].isClosed() && sockets.length >= 2, "the widget reconnected, to node B");
  await say("Après la panne, tout va bien.");
  await consolePage.getByText("Après la panne, tout va bien.").waitFor();
  await page.screenshot({ path: path.join(OUT, "phone-chat-after-node-killed.png") });

  const all = [
    "Bonjour, je passe par le nœud A.", "Bonjour depuis le nœud B.", "Et voici ma deuxième question.",
    "Écrit pendant la panne.", "Réponse écrite pendant la panne.", "Après la panne, tout va bien.",
  ];
  for (const text of all) {
    assert.equal(await frame.getByText(text, { exact: true }).count(), 1, `${text} once on the phone`);
    assert.equal(await consolePage.getByText(text, { exact: true }).count(), 1, `${text} once in the console`);
  }
  await agent.close();
  await visitor.close();
});
