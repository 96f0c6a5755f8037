// The floor UI's only script: keep the scan input focused, and make each outcome audible
// and (where the device can) felt. Pages work without it.
(function () {
  "use strict";
  var TONES = {
    ok: [[1320, 0.12]],
    warn: [[880, 0.12], [0, 0.08], [880, 0.12]],
    error: [[220, 0.6]],
    // Kept on the handheld, not yet on the server: three soft ticks, unlike any answer.
    queued: [[520, 0.06], [0, 0.06], [520, 0.06], [0, 0.06], [520, 0.06]]
  };
  var BUZZ = { ok: [60], warn: [80, 60, 80], error: [400], queued: [30, 50, 30, 50, 30] };

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

  function signal(tone) {
    beep(tone);
    // Chromium refuses (and complains) before the page has had a key or a tap.
    var active = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    if (navigator.vibrate && BUZZ[tone] && active) navigator.vibrate(BUZZ[tone]);
  }

  // A handheld left on a shelf goes back to sign-in by itself once the server's idle
  // timeout has passed since it last heard from this page (the server signs it out).
  var idleTimer = null;
  function touched() {
    var seconds = parseInt(document.body.getAttribute("data-idle-seconds") || "", 10);
    if (!(seconds > 0)) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(backToSignIn, (seconds + 2) * 1000);
  }

  // Reloads the page (the server answers with sign-in) only if the server can be reached:
  // offline, a reload would leave the browser's error page where the scan queue was.
  function backToSignIn() {
    var script = document.querySelector('script[src*="ui.js"]');
    window.fetch(script ? script.src : window.location.href, { method: "HEAD", cache: "no-store" })
      .then(function () {
        window.location.assign(window.location.pathname + window.location.search);
      }, function () {
        idleTimer = setTimeout(backToSignIn, 30000);
      });
  }

  // What a page does when it is shown: its outcome's tone, the idle clock, the scan input's
  // focus, single-submit forms. Run at load, and again by scan-queue.js when it puts the
  // next receive page in place of this one (keeping the focused input and what it holds).
  function pageShown() {
    var tone = document.body.getAttribute("data-tone");
    if (tone) signal(tone);
    touched();
    var input = document.querySelector(".scan-input");
    if (input && !input.dataset.kept) {
      input.dataset.kept = "1";
      keepFocus(input);
    }
    if (input) input.focus();
    // A scan submits once: a second Enter while the page loads would send it again.
    // (Forms of the scan queue submit through it and may take the next scan at once.)
    document.querySelectorAll("form:not([data-queue])").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
      });
    });
  }

  // For the page's other scripts (scan-queue.js): the same sounds, the same idle clock.
  window.floorUI = { signal: signal, touched: touched, pageShown: pageShown };

  document.addEventListener("DOMContentLoaded", pageShown);
})();
