// The coach's screen: refresh the QR when its slot ends, count down, go full screen, and
// read participants' cards with the camera (BarcodeDetector, else the vendored jsQR).
(function () {
  "use strict";
  var panel = document.getElementById("code-panel");
  if (!panel) return;
  var offset = 0, expires = 0, loading = false;
  function read() {
    var box = panel.querySelector("[data-expires]");
    expires = parseInt(box.getAttribute("data-expires"), 10);
    offset = parseInt(box.getAttribute("data-now"), 10) - Date.now();
  }
  function refresh() {
    loading = true;
    fetch(panel.getAttribute("data-src"), {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { panel.innerHTML = html; read(); loading = false; })
      .catch(function () { setTimeout(function () { loading = false; }, 2000); });
  }
  function tick() {
    var left = Math.ceil((expires - (Date.now() + offset)) / 1000);
    var el = document.getElementById("countdown");
    if (el) el.textContent = Math.max(left, 0);
    if (left <= 0 && !loading) refresh();
  }
  read();
  setInterval(tick, 500);

  var full = document.getElementById("fullscreen");
  if (full) full.addEventListener("click", function () {
    full.parentNode.classList.toggle("full");
  });

  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var msg = document.getElementById("coach-msg");
  var cardForm = document.getElementById("card-form");
  if (!start) return;
  var stream = null, detector = null, canvas = null, last = "", lastAt = 0;

  function say(text, ok) {
    msg.innerHTML = "";
    var p = document.createElement("p");
    p.className = "coach-msg " + (ok ? "ok" : "bad");
    p.textContent = text;
    msg.appendChild(p);
  }
  function found(token) {
    var now = Date.now();
    if (token === last && now - lastAt < 5000) return;
    last = token; lastAt = now;
    var body = new FormData(cardForm);
    body.append("token", token);
    fetch(start.getAttribute("data-card-url"), {method: "POST", body: body, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (d) { say(d.message, d.ok); document.body.dispatchEvent(new Event("roll-changed")); })
      .catch(function () { last = ""; say(start.getAttribute("data-no-camera"), false); });
  }
  function loop() {
    if (!stream) return;
    if (video.readyState >= 2) {
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes.length) found(codes[0].rawValue);
        }).catch(function () {});
      } else if (window.jsQR) {
        canvas = canvas || document.createElement("canvas");
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        var ctx = canvas.getContext("2d", {willReadFrequently: true});
        ctx.drawImage(video, 0, 0);
        var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(img.data, img.width, img.height, {inversionAttempts: "dontInvert"});
        if (code && code.data) found(code.data);
      }
    }
    setTimeout(loop, 250);
  }
  function decoder() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (f) {
        if (f.indexOf("qr_code") >= 0) detector = new window.BarcodeDetector({formats: ["qr_code"]});
        else return loadJsQR();
      });
    }
    return loadJsQR();
  }
  function loadJsQR() {
    return new Promise(function (ok, fail) {
      if (window.jsQR) return ok();
      var s = document.createElement("script");
      s.src = start.getAttribute("data-jsqr"); s.onload = ok; s.onerror = fail;
      document.head.appendChild(s);
    });
  }
  start.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(start.getAttribute("data-no-camera"), false); return;
    }
    decoder().then(function () {
      return navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false});
    }).then(function (s) {
      stream = s; video.srcObject = s; video.hidden = false; stop.hidden = false; start.hidden = true;
      video.play(); loop();
    }).catch(function () { say(start.getAttribute("data-no-camera"), false); });
  });
  stop.addEventListener("click", function () {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null; video.hidden = true; stop.hidden = true; start.hidden = false;
  });
})();
