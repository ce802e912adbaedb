// Bulk enrolment lists: "tick all on this page" and the count on the submit button.
(function () {
  "use strict";
  // Filters stay open without JavaScript; on a phone they fold away to show the list.
  if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches) {
    document.querySelectorAll("details[data-collapse-on-phone]:not([data-keep-open])").forEach(function (box) {
      box.open = false;
    });
  }
  document.querySelectorAll("form[data-pick]").forEach(function (form) {
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][data-item]:not(:disabled)"));
    var all = form.querySelector("input[data-all]");
    var count = form.querySelector("[data-count]");
    function update() {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      if (count) { count.textContent = String(n); }
      if (all) { all.checked = n > 0 && n === boxes.length; all.indeterminate = n > 0 && n < boxes.length; }
    }
    if (all) {
      all.hidden = false;
      var label = all.closest("label");
      if (label) { label.hidden = false; }
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
})();
