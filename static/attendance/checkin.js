// Records the check-in by POST as soon as the page opens; retries by itself with backoff
// when the connection drops. The server keeps the scan time, so a retry loses nothing.
(function () {
  "use strict";
  // The typed-code form: add the phone's position (or why there is none) before sending.
  var typed = document.getElementById("code-form");
  if (typed && navigator.geolocation) {
    typed.addEventListener("submit", function (e) {
      if (typed.getAttribute("data-sent")) return;
      e.preventDefault();
      var done = function () { typed.setAttribute("data-sent", "1"); typed.submit(); };
      navigator.geolocation.getCurrentPosition(function (p) {
        typed.lat.value = p.coords.latitude; typed.lng.value = p.coords.longitude;
        typed.acc.value = p.coords.accuracy; done();
      }, function (err) {
        typed.loc_error.value = err.code === 1 ? "denied" : err.code === 3 ? "timeout" : "unavailable";
        done();
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }
  var form = document.getElementById("checkin-form");
  if (!form || !window.fetch) return;
  var out = document.getElementById("result"), net = document.getElementById("net");
  var wait = 1000, mode = form.getAttribute("data-location");
  function send(extra) {
    var body = new FormData(form), k;
    for (k in extra) body.append(k, extra[k]);
    fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
      headers: {"X-Cakap-Fetch": "1"}})
      .then(function (r) {
        if (r.redirected) { location.href = r.url; return null; }
        if (r.status >= 500) {
          // A database restarting answers 503 and says when to come back.
          var after = parseInt(r.headers.get("Retry-After"), 10);
          if (after > 0) wait = Math.max(wait, after * 1000);
          throw new Error(r.status);
        }
        // Anything but our answer (a stale form token, say): let the plain form do it.
        if (r.status !== 200) { form.submit(); return null; }
        return r.text();
      })
      .then(function (html) {
        if (html === null) return;
        out.innerHTML = html; net.hidden = true; form.hidden = true;
      })
      .catch(function () {
        net.textContent = form.getAttribute("data-offline"); net.hidden = false;
        setTimeout(function () { send(extra); }, wait);
        wait = Math.min(wait * 2, 20000);
      });
  }
  function go() {
    if (mode === "off") return send({});
    if (!navigator.geolocation) return send({loc_error: "unsupported"});
    out.firstElementChild.firstElementChild.textContent = form.getAttribute("data-locating");
    navigator.geolocation.getCurrentPosition(function (p) {
      send({lat: p.coords.latitude, lng: p.coords.longitude, acc: p.coords.accuracy});
    }, function (e) {
      send({loc_error: e.code === 1 ? "denied" : e.code === 3 ? "timeout" : "unavailable"});
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); go(); });
  go();
})();
