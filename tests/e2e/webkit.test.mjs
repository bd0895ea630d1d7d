// The main journeys in WebKit, the engine of iOS Safari, at a phone's size (447x844, MiniBrowser's
// narrowest): open the widget, search, read an answer, chat with an agent both ways, book a callback
// and ask the community. Driven through WebDriver (WebKitGTK's MiniBrowser); the agent answers through
// the console's API.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { AGENT, BASE, OUT } from "./browser.mjs";
import { WebKitSession, startWebKit, until } from "./webdriver.mjs";

let webkit;
let browser;
before(async () => {
  webkit = await startWebKit(OUT);
  browser = await WebKitSession.open(webkit.url);
});
after(async () => {
  await browser?.close().catch(() => {});
  webkit?.stop();
});

/** The agent's side, through the console's own API (same origin, as the console page would call it). */
async function agentApi() {
  const headers = { "content-type": "application/json", origin: BASE };
  const login = await fetch(BASE + "/v1/agent/login", { method: "POST", headers, body: JSON.stringify(AGENT) });
  assert.equal(login.status, 200, await login.text());
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const call = async (method, route, body) => {
    const response = await fetch(BASE + route, { method, headers: { ...headers, cookie }, body: body && JSON.stringify(body) });
    assert.ok(response.ok, `${method} ${route}: ${response.status} ${await response.clone().text()}`);
    return response.json();
  };
  return { call };
}

/** Enters the widget's iframe (in the loader's shadow root) once the page has it. */
async function enterWidget() {
  await browser.enterFrame(null);
  const frame = await until("the widget's frame", () =>
    browser.run("return document.querySelector('accueil-widget')?.shadowRoot?.querySelector('iframe[title=\"Aide et contact\"]') ?? null;"));
  await browser.enterFrame(frame);
  // The wasm has taken over the server's first view (typing across the take-over is the first view
  // test's subject, in Chromium).
  await until("the widget to take over its first view", () => browser.run("return document.getElementById('aw-first-view') === null;"));
}

test("in WebKit at a phone's size: search, an answer, a chat both ways, a callback and a community question", async (t) => {
  // What WebKit showed when a step failed, beside the test's output.
  t.after(async () => { await browser.screenshot(path.join(OUT, "webkit-last.png")).catch(() => {}); });
  assert.match(browser.capabilities.browserName, /MiniBrowser/i);
  await browser.goto(BASE + "/");
  // MiniBrowser's toolbar keeps its window at least 447 px wide: still a phone to the widget, whose
  // full-screen sheet is for viewports up to 640 px.
  const [width, height] = await browser.setViewport(390, 844);
  assert.ok(width <= 450 && height === 844, `a phone's viewport, not ${width}x${height}`);
  assert.match(await browser.run("return navigator.userAgent;"), /AppleWebKit/);
  // Nothing from the widget before the tap.
  assert.equal(await browser.run("return performance.getEntriesByType('resource').filter((r) => /\\/(v1|widget)\\//.test(r.name)).length;"), 0);
  await browser.click(await browser.find("button", "Ouvrir l'aide et le contact"));
  await enterWidget();

  // Search and read an answer.
  await browser.type(await browser.find("searchbox", "Rechercher dans l'aide"), "frais de livraison");
  await browser.click(await browser.find("button", /livraison/i));
  await browser.find("heading", /livraison/i);
  await browser.seeText("Cette réponse vous a-t-elle aidé ?");
  await browser.screenshot(path.join(OUT, "webkit-article.png"));

  // Chat: the visitor writes, an agent answers, the visitor reads it.
  await browser.click(await browser.find("button", "Retour"));
  await browser.click(await browser.find("button", /^Discuter avec nous/));
  const words = `Bonjour depuis WebKit ${Date.now()}`;
  // The search is the first draft, as in every engine.
  const composer = await browser.find("textbox", "Votre message");
  assert.equal(await browser.run("return arguments[0].value;", composer), "frais de livraison");
  await browser.clear(composer);
  await browser.type(composer, words);
  await browser.click(await browser.find("button", "Envoyer"));
  await browser.seeText(/\d{2}:\d{2} · (Envoyé|Distribué)/);
  const agent = await agentApi();
  const waiting = await agent.call("GET", "/v1/agent/conversations?site=demo&filter=waiting");
  const mine = waiting.conversations.find((c) => c.last_message?.body === words);
  assert.ok(mine, `the conversation waits in the console: ${JSON.stringify(waiting.conversations.map((c) => c.last_message?.body))}`);
  await agent.call("POST", `/v1/agent/conversations/${mine.id}/claim`, {});
  await agent.call("POST", `/v1/agent/conversations/${mine.id}/messages`, { client_id: `wk-${Date.now()}`, body: "Bonjour, ici Camille." });
  await browser.seeText("Bonjour, ici Camille.");
  await browser.find("region", "Conversation");
  await browser.screenshot(path.join(OUT, "webkit-chat.png"));

  // A callback in a window the visitor picks.
  await browser.click(await browser.find("button", "Retour"));
  await browser.click(await browser.find("button", /^Être rappelé/));
  await browser.type(await browser.find("textbox", "Votre numéro de téléphone"), "06 12 34 56 78");
  const topic = await browser.find("textbox", "À quel sujet ?");
  await browser.clear(topic);
  await browser.type(topic, "Une livraison");
  const when = await browser.find("combobox", "Quand vous appeler ?");
  const slot = await browser.run("return [...arguments[0].options].map((o) => o.value).find((v) => v !== 'asap') ?? null;", when);
  assert.ok(slot, "a window is offered");
  await browser.choose(when, slot);
  await browser.click(await browser.find("checkbox", /J'accepte que Maison Lumière m'appelle/));
  await browser.click(await browser.find("button", "Demander l'appel"));
  await browser.seeText("C'est noté ! Nous vous appellerons dans ce créneau.");
  await browser.screenshot(path.join(OUT, "webkit-callback.png"));

  // A question to the community, under a pseudonym.
  await browser.click(await browser.find("button", "Retour"));
  await browser.click(await browser.find("button", /^Communauté/));
  await browser.click(await browser.find("button", "Poser une question"));
  const question = `Cette lampe tient-elle sur une étagère de 20 cm ? (${Date.now()})`;
  const title = await browser.find("textbox", "Votre question");
  await browser.clear(title);
  await browser.type(title, question);
  await browser.type(await browser.find("textbox", "Votre pseudonyme (public)"), "Safari");
  await browser.click(await browser.find("button", "Publier"));
  await browser.find("heading", question);
  await browser.screenshot(path.join(OUT, "webkit-community.png"));
});
