// The reviews page keeps itself current: every few seconds it asks /reviews.json for the pending reviews' ids;
// when they differ from the ones shown, it reloads (unless the reviewer has started typing in a form, then it
// says so and offers a reload). No build chain, no framework.
(function () {
  "use strict";
  var list = document.getElementById("reviews");
  if (!list) return;
  var shown = (list.dataset.ids || "").split(" ").filter(Boolean).sort().join(" ");
  var every = parseInt(list.dataset.pollMs || "5000", 10);
  var typed = false;
  document.addEventListener("input", function () { typed = true; });

  function check() {
    fetch("/reviews.json", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) return;
        var now = body.ids.slice().sort().join(" ");
        if (now === shown) return;
        if (!typed) { window.location.reload(); return; }
        var before = shown.split(" ").filter(Boolean), after = now.split(" ").filter(Boolean);
        var added = after.filter(function (id) { return before.indexOf(id) < 0; }).length;
        var gone = before.filter(function (id) { return after.indexOf(id) < 0; }).length;
        var note = document.getElementById("changed");
        note.querySelector("span").textContent = added + " new, " + gone + " answered elsewhere";
        note.hidden = false;
      })
      .catch(function () { /* the next check tries again */ })
      .finally(function () { window.setTimeout(check, every); });
  }
  window.setTimeout(check, every);
})();
