// Saves quiz answers as the trainee goes, and keeps the count of unanswered
// questions current (the server counts and words it). The page works without
// it: the "Save my answers" button posts the same form.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById("save-status");
  var count = document.getElementById("unanswered-count");
  var timer = null;
  var url = form.getAttribute("data-autosave");

  function save() {
    timer = null;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (status) { status.textContent = response.ok ? status.getAttribute("data-saved") || "✓" : ""; }
      return response.status === 200 || response.status === 400 ? response.json() : null;
    }).then(function (data) {
      if (status && data && typeof data.error === "string") { status.textContent = data.error; }
      if (count && data && typeof data.unanswered_text === "string") { count.textContent = data.unanswered_text; }
    }).catch(function () {
      if (status) { status.textContent = ""; }
    });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 800);
  }

  form.addEventListener("change", later);
  form.addEventListener("input", later);
})();
