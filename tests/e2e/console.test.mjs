// The agent console: sign-in refused with a wrong password, then accepted, then sign-out.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { AGENT, BASE, OUT, launch } from "./browser.mjs";

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
  const [cookie] = await context.cookies();
  assert.equal(cookie.name, "accueil_agent");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  await page.screenshot({ path: path.join(OUT, "console-inbox.png") });

  await page.reload();
  await page.getByRole("heading", { name: "Boîte de réception" }).waitFor();

  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await signIn.waitFor();
  await page.reload();
  await page.getByRole("button", { name: "Se connecter" }).waitFor();
  await context.close();
});
