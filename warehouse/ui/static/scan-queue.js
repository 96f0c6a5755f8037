// Never lose a scan. The receive pages' scans (parcel, item, close) go through a queue kept
// in localStorage, so a reload or another page keeps them; each is sent with fetch, in
// order, one at a time, asking for a small JSON answer: where its outcome shows ("next"),
// which parcel it was about, and whether that parcel takes item scans. When the server
// cannot be reached the scans wait, the screen says how many, and they are replayed on the
// `online` event, every few seconds and at each page load. Each carries its own scan_id, and
// its id as the Idempotency-Key too, so a scan or close sent twice (its first answer lost
// with the network, or a reload during a replay) is answered by the server with its first
// answer (banners included) and counts once. What may differ between two sends of one entry
// (the session's CSRF token after a new sign-in, how long ago it was taken) goes in headers,
// so its body, which the key is bound to, is the same every time.
//
// Offline, the receiver scans a parcel and then its items and closes it, but only the
// server can name the parcel: the queued items and close point at the queued parcel scan
// (parcelRef = its scan_id) and are resolved to the parcel id its answer gives.
// Without JS (or without localStorage) the forms post as they always did.
(function () {
  "use strict";
  var KEY = "floorUI.scanQueue.v1";
  var RETRY_MS = 5000;
  var TIMEOUT_MS = 15000;
  var MAX_BAD_REQUESTS = 3;

  function blank() {
    return { entries: [], total: 0, parcels: {}, lastItem: null, dropped: 0 };
  }

  function load() {
    try {
      var state = JSON.parse(window.localStorage.getItem(KEY));
      if (state && Array.isArray(state.entries)) return state;
    } catch (e) { /* unreadable: start afresh */ }
    return blank();
  }

  // Read, change and write at once: another tab may have added scans meanwhile.
  function update(change) {
    var state = load();
    var result = change(state);
    window.localStorage.setItem(KEY, JSON.stringify(state));
    return result;
  }

  function storageWorks() {
    try {
      window.localStorage.setItem(KEY + ".probe", "1");
      window.localStorage.removeItem(KEY + ".probe");
      return true;
    } catch (e) {
      return false;
    }
  }

  // A version 4 UUID from getRandomValues (randomUUID needs a secure context; a handheld
  // on the warehouse LAN may reach the server over plain http).
  function newScanId() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return name in values ? String(values[name]) : all;
    });
  }

  function signal(tone) {
    if (window.floorUI) window.floorUI.signal(tone);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var textBlock = document.getElementById("scan-queue-text");
    var counter = document.getElementById("scan-queue");
    if (!textBlock || !counter || !storageWorks()) return;
    var text = JSON.parse(textBlock.textContent);
    var noteBox, pendingCard, queuedClose, form, closeForm, cfg, user, guardMs, parcelLabel;
    var input, label, ownLabel, context, pageContext;
    var shown = 0; // the latest page asked for by show()

    // Finds this page's parts and binds them (again after show() put a new page in place).
    function attach() {
      counter = document.getElementById("scan-queue");
      noteBox = document.getElementById("scan-note");
      pendingCard = document.getElementById("scan-pending");
      queuedClose = document.getElementById("scan-close");
      form = document.querySelector("form.scan[data-queue]");
      closeForm = document.querySelector('form[data-queue="close"]');
      cfg = form ? form.dataset : {};
      user = cfg.user || "";
      guardMs = parseInt(cfg.guardMs || "800", 10);
      parcelLabel = cfg.parcelPattern ? new RegExp(cfg.parcelPattern, "i") : null;
      input = form ? form.querySelector(".scan-input") : null;
      label = form ? form.querySelector("label") : null;
      ownLabel = label ? label.textContent : "";
      // What a scan means when the queue holds nothing of ours: the page's own form.
      context = !form ? null :
        cfg.queue === "item" ? { kind: "item", parcelId: cfg.parcelId } : { kind: "parcel" };
      pageContext = context;
      if (!form) return;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var code = input.value.trim();
        input.value = "";
        input.focus();
        if (code) take(code);
      });
      if (closeForm) {
        closeForm.addEventListener("submit", function (event) {
          event.preventDefault();
          takeClose();
        });
      }
      queuedClose.addEventListener("click", takeClose);
    }

    // Shows the page a scan's answer names. Between receive pages the new page's body takes
    // the place of this one's, keeping the live scan input (focused, with any code the
    // scanner is typing right now) instead of loading a new document: a scan that comes
    // while the page changes is neither lost nor cut in two. Other pages load as usual.
    function show(url) {
      var ticket = ++shown;
      var elsewhere = new Error("not a receive page");
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          var same = new URL(response.url, window.location.href).pathname ===
            new URL(url, window.location.href).pathname;
          if (!response.ok || !same) throw elsewhere;
          return response.text().then(function (html) { return { html: html, url: response.url }; });
        })
        .then(function (page) {
          if (ticket !== shown) return;
          var next = new DOMParser().parseFromString(page.html, "text/html");
          var nextForm = next.querySelector("form.scan[data-queue]");
          var slot = nextForm && nextForm.querySelector(".scan-input");
          if (!slot || !input) throw elsewhere;
          var typing = input;
          slot.replaceWith(typing);
          document.body.replaceWith(document.adoptNode(next.body));
          document.title = next.title;
          typing.focus();
          window.history.pushState(null, "", page.url);
          attach();
          if (window.floorUI) window.floorUI.pageShown();
          keepNote();
          render();
        })
        .catch(function (error) {
          // The network went right after the answer came: stay on this page (a page load
          // now would leave the browser's offline page, where no scan can be kept); the
          // answer's banners wait on the server for the next page.
          if (error === elsewhere && ticket === shown) window.location.assign(url);
        });
    }

    var status = "idle"; // idle | sending | offline | signin
    var reachable = true; // false from a failed send until an answer comes
    var pumping = false;
    var again = false;

    function mine(entries) {
      return entries.filter(function (e) { return e.user === user; });
    }

    // The latest of our queued scans says what the next one means: after a parcel scan,
    // items of that parcel; after a close, the next parcel.
    function mode() {
      var entries = mine(load().entries);
      for (var i = entries.length - 1; i >= 0; i--) {
        var e = entries[i];
        if (e.kind === "close") return { kind: "parcel", afterClose: true };
        if (e.kind === "parcel") return { kind: "item", parcelRef: e.id, code: e.code };
        if (e.kind === "item") {
          return { kind: "item", parcelRef: e.parcelRef, parcelId: e.parcelId, code: e.parcelCode };
        }
      }
      return context;
    }

    var lastNote = null;
    function note(kind, message) {
      lastNote = { kind: kind, message: message, at: Date.now() };
      noteBox.className = "banner " + kind;
      noteBox.textContent = message;
      noteBox.hidden = false;
    }

    // A warning or error shown just before the page changed in place stays in view.
    function keepNote() {
      var recent = lastNote && Date.now() - lastNote.at < 3000 && lastNote.kind !== "queued";
      if (recent) note(lastNote.kind, lastNote.message);
    }

    function render() {
      var state = load();
      var ours = mine(state.entries);
      var others = state.entries.filter(function (e) { return e.user !== user; });
      counter.textContent = "";
      var quiet = reachable && status === "sending" && ours.length < 2;
      if (ours.length && !quiet) {
        counter.appendChild(document.createTextNode(
          fill(text.waiting, { waiting: ours.length, total: Math.max(state.total, ours.length) })));
        var hint = document.createElement("small");
        hint.textContent = status === "signin" ? text.signin :
          reachable && status === "sending" ? text.sending : text.offline;
        counter.appendChild(hint);
      } else if (others.length) {
        var hintOthers = document.createElement("small");
        hintOthers.textContent = fill(text.others, { count: others.length, user: others[0].user });
        counter.appendChild(document.createTextNode(
          fill(text.waiting, { waiting: others.length, total: others.length })));
        counter.appendChild(hintOthers);
      }
      counter.hidden = !counter.firstChild;
      if (!form) return;
      var m = mode();
      var own = m === pageContext;
      label.textContent = own ? ownLabel : m.kind === "item" ? text.item : text.next;
      pendingCard.hidden = !(m.kind === "item" && m.parcelRef);
      if (!pendingCard.hidden) pendingCard.textContent = fill(text.pending, { code: m.code });
      queuedClose.hidden = pendingCard.hidden;
      document.querySelectorAll("[data-parcel-hint]").forEach(function (hint) {
        hint.hidden = m.kind !== "parcel";
      });
      if (closeForm) {
        closeForm.hidden = !(m.kind === "item" && !m.parcelRef && m.parcelId === closeForm.dataset.parcelId);
      }
    }

    function enqueue(entry) {
      update(function (state) {
        entry.waited = state.entries.length > 0 || !reachable || status === "signin";
        if (!state.entries.length) state.total = 0;
        state.entries.push(entry);
        state.total += 1;
      });
      if (!reachable || status === "signin") {
        note("queued", entry.kind === "close" ? text.closed : fill(text.queued, { code: entry.code }));
        signal("queued");
      }
      render();
      pump();
    }

    function csrf() {
      var field = document.querySelector('input[name="csrf_token"]');
      return field ? field.value : "";
    }

    function take(code) {
      var m = mode();
      var now = Date.now();
      // The next parcel's RMA label scanned instead of closing: a parcel scan, as the
      // server takes it (so the items after it go with the new parcel, not the last).
      if (m.kind === "item" && parcelLabel && parcelLabel.test(code)) m = { kind: "parcel" };
      if (m.kind === "item") {
        // The double-scan guard's mirror: the same code again within the window is the
        // trigger held too long (the server's guard does the same for scans sent at once).
        var repeat = update(function (state) {
          var last = state.lastItem;
          state.lastItem = { code: code, at: now };
          return !!last && last.code === code && now >= last.at && now - last.at < guardMs;
        });
        if (repeat) {
          note("warn", fill(text.repeat, { code: code }));
          signal("warn");
          return;
        }
      }
      enqueue({
        id: newScanId(), kind: m.kind, code: code, user: user, csrf: csrf(),
        takenAt: now, tries: 0,
        parcelRef: m.kind === "item" ? m.parcelRef || null : null,
        parcelId: m.kind === "item" ? m.parcelId || null : null,
        parcelCode: m.kind === "item" ? m.code || null : null
      });
    }

    function takeClose() {
      var m = mode();
      if (m.kind !== "item") return;
      enqueue({
        id: newScanId(), kind: "close", code: "", user: user, csrf: csrf(),
        takenAt: Date.now(), tries: 0,
        parcelRef: m.parcelRef || null, parcelId: m.parcelId || null, parcelCode: m.code || null
      });
      if (input) input.focus();
    }

    // The URL a queued scan goes to, null when its parcel scan was refused (nothing to
    // receive into), undefined when that parcel scan was never answered here.
    function target(entry, state) {
      if (entry.kind === "parcel") return cfg.receiveUrl;
      var parcelId = entry.parcelId;
      if (!parcelId) {
        if (!entry.parcelRef || !(entry.parcelRef in state.parcels)) return undefined;
        parcelId = state.parcels[entry.parcelRef];
        if (!parcelId) return null;
      }
      var url = entry.kind === "item" ? cfg.itemsUrl : cfg.closeUrl;
      return url.replace("__PARCEL__", encodeURIComponent(parcelId));
    }

    function send(entry, url) {
      var body = new URLSearchParams();
      body.set("scan_id", entry.id);
      if (entry.kind !== "close") body.set("code", entry.code);
      var headers = {
        Accept: "application/json",
        "Idempotency-Key": entry.id,
        "X-CSRF-Token": csrf() || entry.csrf
      };
      if (entry.waited || entry.tries > 1) {
        // Held back: say how long ago it was scanned (the handheld's clock may be set wrong,
        // but it measures time well) and that the queue already dropped trigger repeats.
        headers["X-Scanned-Ago-Ms"] = String(Math.max(0, Date.now() - entry.takenAt));
        headers["X-Scan-Replay"] = "1";
      }
      var controller = window.AbortController ? new AbortController() : null;
      var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
      return window.fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: headers,
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        clearTimeout(timer);
        var path = new URL(response.url, window.location.href).pathname;
        if (response.redirected && path === new URL(cfg.loginUrl, window.location.href).pathname) {
          return { outcome: "signin" };
        }
        if (response.status === 400) {
          return { outcome: entry.tries > MAX_BAD_REQUESTS ? "refused" : "signin" };
        }
        if (response.status >= 500) return { outcome: "retry" };
        if (!response.ok) return { outcome: "refused" };
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") < 0) return { outcome: "done", answer: { next: response.url } };
        return response.json().then(function (answer) { return { outcome: "done", answer: answer }; });
      }, function () {
        clearTimeout(timer);
        return { outcome: "retry" };
      });
    }

    function forget(entry, parcelId) {
      update(function (state) {
        if (entry.kind === "parcel") state.parcels[entry.id] = parcelId || null;
        state.entries = state.entries.filter(function (e) { return e.id !== entry.id; });
        var wanted = {};
        state.entries.forEach(function (e) { if (e.parcelRef) wanted[e.parcelRef] = true; });
        Object.keys(state.parcels).forEach(function (ref) { if (!wanted[ref]) delete state.parcels[ref]; });
      });
    }

    // Sends our waiting scans in order until none is left or the server cannot be reached.
    function drain() {
      var next = null;
      status = "sending";
      render();
      function step() {
        var state = load();
        var entry = mine(state.entries)[0];
        if (!entry) {
          status = "idle";
          if (next) show(next);
          return Promise.resolve();
        }
        var url = target(entry, state);
        if (!url) {
          forget(entry);
          update(function (s) { s.dropped += 1; });
          return step();
        }
        update(function (s) {
          s.entries.forEach(function (e) { if (e.id === entry.id) e.tries += 1; });
        });
        entry.tries += 1;
        return send(entry, url).then(function (result) {
          if (result.outcome === "retry") {
            if (reachable) {
              note("queued", entry.kind === "close" ? text.closed : fill(text.queued, { code: entry.code }));
              signal("queued");
            }
            status = "offline";
            reachable = false;
            return null;
          }
          reachable = true;
          if (result.outcome === "signin") {
            status = "signin";
            render();
            if (cfg.loginUrl) window.location.assign(cfg.loginUrl);
            return null;
          }
          if (result.outcome === "refused") {
            forget(entry);
            update(function (s) { s.dropped += 1; });
          } else {
            var answer = result.answer || {};
            forget(entry, answer.items ? answer.parcel_id : null);
            if (answer.next) next = answer.next;
            context = entry.kind === "close" || !answer.items ? { kind: "parcel" } :
              { kind: "item", parcelId: answer.parcel_id };
            if (window.floorUI) window.floorUI.touched();
          }
          render();
          return step();
        });
      }
      return step();
    }

    function pump() {
      if (!form) return;
      if (pumping) { again = true; return; }
      if (!mine(load().entries).length) return;
      pumping = true;
      again = false;
      var run = function () { return drain(); };
      var done = function () {
        pumping = false;
        showDropped();
        render();
        if (again && status !== "offline" && status !== "signin") pump();
      };
      var started = navigator.locks && navigator.locks.request ?
        navigator.locks.request("floorUI.scanQueue", run) : run();
      started.then(done, done);
    }

    function showDropped() {
      if (status !== "idle" && status !== "offline") return;
      var dropped = update(function (state) { var n = state.dropped; state.dropped = 0; return n; });
      if (dropped) {
        note("error", fill(text.dropped, { count: dropped }));
        signal("error");
      }
    }

    attach();
    window.addEventListener("online", pump);
    window.addEventListener("popstate", function () { window.location.reload(); });
    setInterval(function () {
      if (status !== "signin") pump();
    }, RETRY_MS);
    window.addEventListener("storage", function (event) {
      if (event.key === KEY) render();
    });
    showDropped();
    render();
    pump();
  });
})();
