// The venue point on the organiser's pages: "use this device's position" fills the
// latitude and longitude (six decimals) through the browser's geolocation, says plainly
// why when it cannot, and keeps a link to see the point on OpenStreetMap's own site
// (a link, never an embedded map: nothing is loaded from elsewhere).
(function () {
  "use strict";
  var box = document.querySelector(".point");
  if (!box) return;
  var lat = document.getElementById("id_latitude"), lng = document.getElementById("id_longitude");
  var button = document.getElementById("use-position"), msg = document.getElementById("position-msg");
  var link = document.getElementById("map-link");
  var ROUGH_M = 100;
  function number(input) {
    var text = (input.value || "").replace(/\s/g, "");
    if (text.indexOf(",") >= 0 && text.indexOf(".") < 0) text = text.replace(",", ".");
    var n = Number(text);
    return text !== "" && isFinite(n) ? n : null;
  }
  function refresh() {
    var a = number(lat), b = number(lng);
    if (a === null || b === null || a < -90 || a > 90 || b < -180 || b > 180) {
      link.hidden = true;
      return;
    }
    link.href = "https://www.openstreetmap.org/?mlat=" + a.toFixed(6) + "&mlon=" + b.toFixed(6) +
      "#map=18/" + a.toFixed(6) + "/" + b.toFixed(6);
    link.hidden = false;
  }
  function say(key, metres) {
    msg.textContent = (box.getAttribute("data-" + key) || "").replace("{m}", metres);
    msg.className = "small " + (key === "found" || key === "locating" ? "" : "position-bad");
  }
  lat.addEventListener("input", refresh);
  lng.addEventListener("input", refresh);
  refresh();
  button.addEventListener("click", function () {
    if (!navigator.geolocation || window.isSecureContext === false) {
      say("unsupported");
      return;
    }
    say("locating");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (p) {
      button.disabled = false;
      var metres = Math.round(p.coords.accuracy || 0);
      if (metres > ROUGH_M) {
        say("rough", metres);
        return;
      }
      lat.value = p.coords.latitude.toFixed(6);
      lng.value = p.coords.longitude.toFixed(6);
      refresh();
      say("found", metres);
    }, function (e) {
      button.disabled = false;
      say(e.code === 1 ? "denied" : e.code === 3 ? "timeout" : "unavailable");
    }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 0});
  });
})();
