// The floor UI's only script: keep the scan input focused, and make each outcome audible
// and (where the device can) felt. Pages work without it.
(function () {
  "use strict";
  var TONES = {
    ok: [[1320, 0.12]],
    warn: [[880, 0.12], [0, 0.08], [880, 0.12]],
    error: [[220, 0.6]]
  };
  var BUZZ = { ok: [60], warn: [80, 60, 80], error: [400] };

  function beep(tone) {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC || !TONES[tone]) return;
    var ctx = new AC();
    var t = ctx.currentTime;
    TONES[tone].forEach(function (step) {
      if (step[0]) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.type = "square";
        osc.frequency.value = step[0];
        gain.gain.value = 0.2;
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + step[1]);
      }
      t += step[1];
    });
    // A browser that blocks sound until a gesture plays it at the next key or tap.
    if (ctx.state === "suspended") {
      var resume = function () { ctx.resume(); };
      document.addEventListener("keydown", resume, { once: true });
      document.addEventListener("pointerdown", resume, { once: true });
    }
  }

  function keepFocus(input) {
    input.focus();
    input.addEventListener("blur", function () {
      // Let a tap on a button or link do its work; then come back to the scan input.
      setTimeout(function () {
        var active = document.activeElement;
        var busy = active && active !== document.body && active !== input &&
          /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
        if (!busy) input.focus();
      }, 150);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var tone = document.body.getAttribute("data-tone");
    if (tone) {
      beep(tone);
      if (navigator.vibrate) navigator.vibrate(BUZZ[tone]);
    }
    var input = document.querySelector(".scan-input");
    if (input) keepFocus(input);
    // A scan submits once: a second Enter while the page loads would send it again.
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
      });
    });
  });
})();
