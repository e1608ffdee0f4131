// Runs before the app's module: if the app fails to start (a script error in a webview older
// than the one it was built for, say), the window says why instead of staying blank. A file of
// its own because the content security policy allows no inline script.
"use strict";
(function () {
  // Under the C or POSIX locale (LANG unset, as on a bare CI machine) WebKitGTK reports the
  // language "C", which Intl rejects: charting code that formats numbers for navigator.language
  // would throw at load. Such a session speaks plain English.
  try {
    new Intl.NumberFormat(navigator.language);
  } catch {
    Object.defineProperty(Navigator.prototype, "language", { get: function () { return "en-US"; } });
    Object.defineProperty(Navigator.prototype, "languages", { get: function () { return ["en-US"]; } });
  }
  var errors = [];
  function remember(message) {
    errors.push(String(message));
  }
  window.addEventListener("error", function (e) {
    remember(e.message + (e.filename ? " (" + e.filename + ":" + e.lineno + ")" : ""));
  });
  window.addEventListener("unhandledrejection", function (e) {
    remember(e.reason && e.reason.stack ? e.reason.stack : e.reason);
  });
  window.addEventListener("load", function () {
    setTimeout(function () {
      var app = document.getElementById("app");
      if (!app || app.childElementCount > 0 || errors.length === 0) return;
      var box = document.createElement("pre");
      box.setAttribute("role", "alert");
      box.textContent = "Scaleproof Studio could not start:\n\n" + errors.join("\n");
      app.appendChild(box);
    }, 1000);
  });
})();
