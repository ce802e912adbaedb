// Copy a set-password link or its message with one tap.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button.copy");
    if (!b) return;
    var t = document.getElementById(b.getAttribute("data-copy"));
    var done = function () { b.textContent = b.getAttribute("data-done"); };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(t.value).then(done);
    else { t.select(); document.execCommand("copy"); done(); }
  });
  // "Tick all on this page" on the person list.
  document.addEventListener("change", function (e) {
    var all = e.target.closest && e.target.closest("input[data-tick-all]");
    if (!all) return;
    document.querySelectorAll("input[name=person][form=" + all.getAttribute("data-tick-all") + "]")
      .forEach(function (box) { box.checked = all.checked; });
  });
})();
