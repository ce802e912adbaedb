// Taking an assessment: every answer is posted by htmx as it changes (see take.html).
// When the connection drops, say so, and send everything again once it is back; each
// save carries every answer on the page, so one successful save catches up on all.
(function () {
  "use strict";
  var form = document.getElementById("take-form");
  var status = document.getElementById("save-status");
  if (!form || !status || !window.htmx) { return; }
  var pending = false;
  function offline() {
    pending = true;
    status.textContent = status.getAttribute("data-offline");
    status.classList.add("offline");
  }
  form.addEventListener("htmx:sendError", offline);
  form.addEventListener("htmx:responseError", offline);
  form.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      pending = false;
      status.classList.remove("offline");
    }
  });
  window.addEventListener("online", function () {
    if (pending) { window.htmx.trigger(form, "change"); }
  });
})();
