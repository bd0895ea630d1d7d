/*! Accueil loader: draws the launcher and, on tap, opens the widget in an iframe. No dependencies; before
 * the tap it sets no cookie, uses no storage and makes no request. Host API: window.Accueil. */
(function () {
  "use strict";
  if (window.Accueil) return;
  var me = document.currentScript || document.querySelector("script[data-site][src*='accueil.js']");
  if (!me) return;
  var data = me.dataset, origin = new URL(me.src, location.href).origin, site = data.site || "";
  var WORDS = {
    fr: { open: "Ouvrir l'aide et le contact", close: "Fermer l'aide", title: "Aide et contact", unread: " non lus" },
    en: { open: "Open help and contact", close: "Close help", title: "Help and contact", unread: " unread" }
  };
  function pick(tag) { tag = (tag || "").slice(0, 2).toLowerCase(); return WORDS[tag] ? tag : ""; }
  var locale = pick(data.locale) || pick(navigator.language) || pick(document.documentElement.lang) || "fr";
  var color = /^#[0-9a-f]{6}$/i.test(data.color || "") ? data.color : "#1f4e79";
  var left = data.position === "bottom-left";
  var isOpen = false, ready = false, unread = 0, frame = null, handlers = {};
  // Who the brand says its signed-in customer is: kept here, sent to the widget only after the tap.
  var identity = window.AccueilIdentity || null;
  var phone = window.matchMedia("(max-width: 640px)");

  // White or near-black text, whichever contrasts more with the brand colour (WCAG luminance).
  function lum(hex) {
    return [1, 3, 5].reduce(function (sum, i, k) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      c = c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
      return sum + c * [0.2126, 0.7152, 0.0722][k];
    }, 0);
  }
  var ink = 1.05 / (lum(color) + 0.05) >= (lum(color) + 0.05) / 0.06 ? "#fff" : "#1a1a1a";

  var side = left ? "left" : "right";
  var css =
    ":host{all:initial}" +
    "button{all:initial;box-sizing:border-box;position:fixed;z-index:2147483646;bottom:calc(16px + env(safe-area-inset-bottom));" +
    side + ":calc(16px + env(safe-area-inset-" + side + "));width:56px;height:56px;border-radius:50%;display:grid;" +
    "place-items:center;cursor:pointer;background:" + color + ";color:" + ink + ";box-shadow:0 4px 14px rgba(0,0,0,.3)}" +
    "button:focus-visible{outline:3px solid " + color + ";outline-offset:3px}" +
    "svg{width:28px;height:28px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}" +
    "span{position:absolute;top:-4px;" + side + ":-4px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;" +
    "border-radius:10px;background:#b00020;color:#fff;font:700 12px/20px system-ui,sans-serif;text-align:center}" +
    "iframe{position:fixed;z-index:2147483647;border:0;background:transparent;color-scheme:normal;" +
    side + ":16px;bottom:88px;width:400px;height:min(680px,calc(100dvh - 104px));border-radius:16px;" +
    "box-shadow:0 8px 32px rgba(0,0,0,.25)}" +
    "@media (max-width:640px){iframe{inset:0;width:100%;height:100%;height:100dvh;border-radius:0;box-shadow:none}}" +
    "[hidden]{display:none!important}";

  var host = document.createElement("accueil-widget");
  // Inline !important beats any host rule: no host selector can hide, fade or transform the widget.
  host.style.setProperty("all", "initial", "important");
  var root = host.attachShadow({ mode: "open" });
  if (root.adoptedStyleSheets && window.CSSStyleSheet) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = document.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }
  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-expanded", "false");
  button.innerHTML =
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z"/>' +
    '<path d="M8.5 10.5h7M8.5 14h4"/></svg><span hidden></span>';
  var badge = button.querySelector("span");
  root.appendChild(button);

  function emit(event, value) {
    (handlers[event] || []).forEach(function (fn) { try { fn(value); } catch (e) { setTimeout(function () { throw e; }); } });
  }
  function widgetUrl() {
    // The page, for the agent's context: its path only, as queries and fragments can hold personal data.
    return origin + "/widget/?site=" + encodeURIComponent(site) + "&locale=" + locale + "&host=" + encodeURIComponent(location.origin) +
      "&page=" + encodeURIComponent(location.origin + location.pathname) +
      (data.topic ? "&topic=" + encodeURIComponent(data.topic) : "");
  }
  function post(message) { if (frame && ready) frame.contentWindow.postMessage(message, origin); }
  function label() {
    var w = WORDS[locale];
    button.setAttribute("aria-label", (isOpen ? w.close : w.open) + (unread ? " (" + unread + w.unread + ")" : ""));
    badge.textContent = unread > 9 ? "9+" : String(unread);
    badge.hidden = !unread;
    if (frame) frame.title = w.title;
  }
  // On phones the sheet follows the visual viewport, so the on-screen keyboard never hides the input
  // and the host page underneath neither scrolls nor jumps.
  function fit() {
    var v = window.visualViewport;
    if (!frame || !v || !phone.matches) return frame && (frame.style.height = frame.style.top = "");
    frame.style.height = v.height + "px";
    frame.style.top = v.offsetTop + "px";
  }
  var scroll = null;
  function lockScroll(lock) {
    var s = document.documentElement.style;
    if (lock && phone.matches && scroll === null) { scroll = s.overflow; s.overflow = "hidden"; }
    if (!lock && scroll !== null) { s.overflow = scroll; scroll = null; }
  }

  function open() {
    if (isOpen) return;
    isOpen = true;
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = widgetUrl();
      root.appendChild(frame);
    }
    frame.hidden = false;
    button.hidden = phone.matches;
    button.setAttribute("aria-expanded", "true");
    lockScroll(true);
    fit();
    label();
    if (ready) { post({ type: "accueil.opened" }); frame.focus(); }
    emit("open");
  }
  function close() {
    if (!isOpen) return;
    isOpen = false;
    if (ready) post({ type: "accueil.closed" });
    frame.hidden = true;
    button.hidden = false;
    button.setAttribute("aria-expanded", "false");
    lockScroll(false);
    label();
    button.focus();
    emit("close");
  }

  window.addEventListener("message", function (event) {
    var m = event.data;
    if (event.origin !== origin || !frame || event.source !== frame.contentWindow || !m || typeof m.type !== "string") return;
    if (m.type === "accueil.ready") {
      ready = true;
      if (identity) post({ type: "accueil.identify", identity: identity });
      emit("ready");
      // Not from under a visitor already typing in the first view.
      if (isOpen) { post({ type: "accueil.opened" }); if (root.activeElement !== frame) frame.focus(); }
    } else if (m.type === "accueil.close") close();
    else if (m.type === "accueil.unread") { unread = m.count >>> 0; label(); emit("unread", unread); }
    else if (m.type === "accueil.locale" && WORDS[m.locale]) { locale = m.locale; label(); emit("locale", locale); }
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape" && isOpen) close(); });
  button.addEventListener("click", function () { isOpen ? close() : open(); });
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fit);
    window.visualViewport.addEventListener("scroll", fit);
  }

  if (data.prefetch === "idle") {
    (window.requestIdleCallback || setTimeout)(function () {
      var link = document.createElement("link");
      link.rel = "prefetch";
      link.href = widgetUrl();
      document.head.appendChild(link);
    });
  }

  label();
  if (document.body) document.body.appendChild(host);
  else document.addEventListener("DOMContentLoaded", function () { document.body.appendChild(host); });
  window.Accueil = {
    open: open,
    close: close,
    toggle: function () { isOpen ? close() : open(); },
    setLocale: function (tag) {
      if (!pick(tag)) return;
      locale = pick(tag);
      label();
      post({ type: "accueil.set_locale", locale: locale });
    },
    identify: function (proof) {
      identity = proof || null;
      if (identity) post({ type: "accueil.identify", identity: identity });
    },
    on: function (event, fn) {
      (handlers[event] = handlers[event] || []).push(fn);
      return function () { handlers[event] = handlers[event].filter(function (f) { return f !== fn; }); };
    }
  };
})();
