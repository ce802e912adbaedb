// Copy a participant's WhatsApp text with one click.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button.copy");
    if (!b) return;
    var t = document.getElementById(b.getAttribute("data-copy"));
    var done = function () { b.textContent = b.getAttribute("data-done"); };
    if (navigator.clipboard) navigator.clipboard.writeText(t.value).then(done);
    else { t.select(); document.execCommand("copy"); done(); }
  });
})();
