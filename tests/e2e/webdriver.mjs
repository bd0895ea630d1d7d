// WebKit (the engine of Safari) through W3C WebDriver: Debian's WebKitWebDriver drives WebKitGTK's
// MiniBrowser under a virtual display (Xvfb). A small client over `fetch`, and finders that look for
// elements the way a screen reader names them (role and accessible name), as the Playwright tests do.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
/** Every wait in these tests ends: a step that takes longer fails with what it waited for. */
export const WAIT_MS = 20_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns something truthy, for at most `ms`; then fails naming `what`. */
export async function until(what, check, ms = WAIT_MS) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      const found = await check();
      if (found) return found;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ""}`);
}

/** Starts Xvfb and WebKitWebDriver; `stop()` ends both. */
export async function startWebKit(logDir) {
  for (const file of ["/usr/bin/Xvfb", "/usr/bin/WebKitWebDriver", MINIBROWSER]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: cargo xtask setup installs it`);
  }
  const display = `:${90 + Math.floor(Math.random() * 900)}`;
  const log = fs.openSync(path.join(logDir, "webkit.log"), "a");
  const xvfb = spawn("/usr/bin/Xvfb", [display, "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], { stdio: ["ignore", log, log] });
  const port = await freePort();
  const driver = spawn("/usr/bin/WebKitWebDriver", [`--port=${port}`], {
    stdio: ["ignore", log, log], env: { ...process.env, DISPLAY: display },
  });
  const url = `http://127.0.0.1:${port}`;
  await until("WebKitWebDriver to answer", async () => (await fetch(`${url}/status`)).ok);
  return {
    url,
    stop() {
      driver.kill("SIGTERM");
      xvfb.kill("SIGTERM");
      fs.closeSync(log);
    },
  };
}

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** One browser window of WebKit. */
export class WebKitSession {
  static async open(driverUrl) {
    const response = await fetch(`${driverUrl}/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        capabilities: {
          alwaysMatch: {
            browserName: "MiniBrowser",
            "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
          },
        },
      }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`no WebKit session: ${JSON.stringify(body)}`);
    return new WebKitSession(`${driverUrl}/session/${body.value.sessionId}`, body.value.capabilities);
  }

  constructor(base, capabilities) {
    this.base = base;
    this.capabilities = capabilities;
  }

  async command(method, route, body) {
    const response = await fetch(this.base + route, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`${method} ${route}: ${JSON.stringify(answer.value)}`);
    return answer.value;
  }

  close() {
    return this.command("DELETE", "");
  }

  goto(url) {
    return this.command("POST", "/url", { url });
  }

  /** Sizes the window so that the page's viewport is `width` x `height` (the window's own frame and
   * toolbar taken off); answers the viewport it got, as a window manager may refuse some sizes. */
  async setViewport(width, height) {
    await this.command("POST", "/window/rect", { width, height });
    const [innerWidth, innerHeight] = await this.run("return [window.innerWidth, window.innerHeight];");
    await this.command("POST", "/window/rect", { width: 2 * width - innerWidth, height: 2 * height - innerHeight });
    return this.run("return [window.innerWidth, window.innerHeight];");
  }

  run(script, ...args) {
    return this.command("POST", "/execute/sync", { script, args });
  }

  /** Enters the iframe `element` (an element reference), or the top document with `null`. */
  enterFrame(element) {
    return this.command("POST", "/frame", { id: element });
  }

  async screenshot(file) {
    const png = await this.command("GET", "/screenshot");
    fs.writeFileSync(file, Buffer.from(png, "base64"));
  }

  /** The element with `role` and accessible `name` (a string, or a RegExp source with flags), once it
   * shows; searched in the current document and its open shadow roots. */
  find(role, name, ms = WAIT_MS) {
    const wanted = name instanceof RegExp ? { source: name.source, flags: name.flags } : { text: name };
    return until(`${role} "${name}"`, () => this.run(FIND_BY_ROLE, role, wanted), ms);
  }

  /** Waits until the current document shows `text` (a string or RegExp) somewhere. */
  seeText(text, ms = WAIT_MS) {
    const wanted = text instanceof RegExp ? { source: text.source, flags: text.flags } : { text };
    return until(`the text "${text}"`, () => this.run(SHOWS_TEXT, wanted), ms);
  }

  /** Clicks `element` as a thumb would: scrolled to the middle of its scroller first (WebKit's driver
   * refuses an element half under a pinned footer rather than scrolling it). */
  async click(element) {
    await this.run("arguments[0].scrollIntoView({ block: 'center' });", element);
    await this.command("POST", `/element/${element[ELEMENT]}/click`, {});
  }

  async type(element, text) {
    await this.command("POST", `/element/${element[ELEMENT]}/value`, { text });
  }

  async clear(element) {
    await this.command("POST", `/element/${element[ELEMENT]}/clear`, {});
  }

  /** Chooses the option of the `<select>` `element` whose value is `value`, as a person would. */
  async choose(element, value) {
    const option = await this.run(
      "return [...arguments[0].options].find((o) => o.value === arguments[1]) || null;", element, value);
    if (!option) throw new Error(`no option ${value}`);
    await this.click(option);
  }
}

// Runs in the page. The roles and names the tests use, computed as the accessibility tree does for
// them: an explicit role or the element's own, and aria-label, aria-labelledby, the <label>, or the text.
const FIND_BY_ROLE = `
const [role, wanted] = arguments;
const implicit = (el) => {
  const tag = el.tagName.toLowerCase();
  if (tag === "button") return "button";
  if (tag === "a" && el.hasAttribute("href")) return "link";
  if (tag === "textarea") return "textbox";
  if (tag === "select") return "combobox";
  if (/^h[1-6]$/.test(tag)) return "heading";
  if (tag === "input") {
    const type = (el.getAttribute("type") || "text").toLowerCase();
    if (type === "search") return "searchbox";
    if (type === "checkbox") return "checkbox";
    if (["text", "tel", "email", "url"].includes(type)) return "textbox";
  }
  return null;
};
const text = (el) => (el.innerText || el.textContent || "").replace(/\\s+/g, " ").trim();
const nameOf = (el) => {
  if (el.getAttribute("aria-label")) return el.getAttribute("aria-label").trim();
  const by = el.getAttribute("aria-labelledby");
  if (by) return by.split(/\\s+/).map((id) => el.getRootNode().getElementById(id)).filter(Boolean).map(text).join(" ");
  if (el.id) {
    const label = el.getRootNode().querySelector('label[for="' + el.id + '"]');
    if (label) return text(label);
  }
  const wrapping = el.closest("label");
  if (wrapping) return text(wrapping);
  return text(el);
};
const matches = (name) => wanted.text !== undefined ? name === wanted.text : new RegExp(wanted.source, wanted.flags).test(name);
const shown = (el) => { const box = el.getBoundingClientRect(); return box.width > 0 && box.height > 0; };
const roots = [document];
for (let i = 0; i < roots.length; i += 1) {
  for (const el of roots[i].querySelectorAll("*")) {
    if (el.shadowRoot) roots.push(el.shadowRoot);
    if ((el.getAttribute("role") || implicit(el)) === role && shown(el) && matches(nameOf(el))) return el;
  }
}
return null;`;

const SHOWS_TEXT = `
const [wanted] = arguments;
const all = (document.body.innerText || "").replace(/[ \\t]+/g, " ");
return wanted.text !== undefined ? all.includes(wanted.text) : new RegExp(wanted.source, wanted.flags).test(all);`;
