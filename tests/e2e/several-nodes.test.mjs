// Two server nodes on one PostgreSQL behind nginx, as a brand that outgrew one machine runs them. A
// visitor on a phone chats through the balancer (on node A) while the agent's console is on node B;
// messages go both ways live, across nodes. Then node A is killed (SIGKILL, mid-conversation): the
// balancer sends the phone to node B, the widget resumes there, and on both sides every acknowledged
// message is shown once, none lost.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { BASE, OUT, eventually, launch, phone, signIn, widgetFrame } from "./browser.mjs";

const NODE_B = process.env.ACCUEIL_NODE_B_URL;
const NODE_A_PID = Number(process.env.ACCUEIL_NODE_A_PID);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

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
