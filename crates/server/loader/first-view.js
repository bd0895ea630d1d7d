// The widget's first view, before its wasm takes the panel over (or when it never can: blocked,
// failed, an old phone): the close button and Escape ask the host page to close the panel, as the
// wasm would. Once the first view is gone, the wasm answers both itself, so this steps aside.
(function () {
  "use strict";
  var host = new URLSearchParams(location.search).get("host");
  function showing() { return document.getElementById("aw-first-view"); }
  function close() {
    if (window.parent === window || !host) return;
    window.parent.postMessage({ type: "accueil.close" }, host);
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("#aw-first-close") : null;
    if (button && showing()) close();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && showing()) close();
  });
})();
