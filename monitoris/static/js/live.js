// Live updates from the audit feed (Server-Sent Events, /api/v1/events/stream).
//
// The page names what may change on the script tag itself:
//   <script src=".../live.js" defer
//           data-live-swap="#dashboard-counts, #dashboard-overdue"   CSS selectors of the parts to refresh
//           data-live-objects="12,13"                                 optional: only events of these assignments
//           data-live-after-id="345"></script>                        optional: resume after this event id
// On a relevant event the script fetches the current page again and swaps those parts in place:
// the server renders them, so they are exactly what a reload would show.  Without JavaScript, or
// when the stream is unavailable, the page simply stays as it was rendered.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var selectors = (script.getAttribute("data-live-swap") || "").split(",")
    .map(function (s) { return s.trim(); })
    .filter(Boolean);
  if (!selectors.length) {
    return;
  }
  var objects = (script.getAttribute("data-live-objects") || "").split(/[\s,]+/).filter(Boolean);
  var afterId = script.getAttribute("data-live-after-id");
  var streamUrl = script.getAttribute("data-live-stream") || "/api/v1/events/stream";
  if (afterId && /^\d+$/.test(afterId)) {
    streamUrl += (streamUrl.indexOf("?") < 0 ? "?" : "&") + "after_id=" + afterId;
  }

  // What to announce, in the page's language: the page writes it with a {time} slot (base.html, data-live-updated).
  var updatedText = script.getAttribute("data-live-updated") || document.body.getAttribute("data-live-updated")
    || "{time}";
  var pageLanguage = document.documentElement.lang || undefined;

  function updatedAt(date) {
    var time;
    try {
      time = date.toLocaleTimeString(pageLanguage);
    } catch (e) {  // a language the browser does not know: its own format
      time = date.toLocaleTimeString();
    }
    return updatedText.replace("{time}", time);
  }

  // A polite live region so that screen-reader users learn the page changed under them.
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  document.body.appendChild(status);

  function concerns(event) {
    // Assignment events, or later events (reports, instructions) that name their assignment.
    var assignmentId = event.object_type === "assignment" ? event.object_id
      : (event.after && event.after.assignment_id) || (event.before && event.before.assignment_id);
    if (!assignmentId && event.object_type !== "assignment") {
      return false;
    }
    return !objects.length || objects.indexOf(String(assignmentId)) >= 0;
  }

  function busy(element) {
    // Never throw away what a person is typing: a form being filled in is left alone.
    var fields = element.querySelectorAll("textarea, input[type=text], input:not([type]), select");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i] === document.activeElement || (fields[i].tagName === "TEXTAREA" && fields[i].value)) {
        return true;
      }
    }
    return false;
  }

  var pending = null;
  var refreshing = false;

  function refresh() {
    pending = null;
    if (refreshing) {
      schedule();
      return;
    }
    refreshing = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "live.js" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("page answered " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var changed = false;
        selectors.forEach(function (selector) {
          var current = document.querySelectorAll(selector);
          var updated = fresh.querySelectorAll(selector);
          for (var i = 0; i < current.length && i < updated.length; i++) {
            if (busy(current[i]) || current[i].innerHTML === updated[i].innerHTML) {
              continue;
            }
            current[i].replaceWith(document.importNode(updated[i], true));
            changed = true;
          }
        });
        if (changed) {
          status.textContent = updatedAt(new Date());
        }
      })
      .catch(function () { /* the next event tries again; the page stays as it is */ })
      .then(function () { refreshing = false; });
  }

  function schedule() {
    // Several events in a burst (a transition and its roll-up) make one refresh.
    if (!pending) {
      pending = window.setTimeout(refresh, 400);
    }
  }

  var source = new EventSource(streamUrl, { withCredentials: true });
  source.onmessage = function (message) {
    var event;
    try {
      event = JSON.parse(message.data);
    } catch (e) {
      return;
    }
    if (concerns(event)) {
      schedule();
    }
  };
  // Sent when the login session or token behind the stream has ended: stop reconnecting.
  source.addEventListener("end", function () { source.close(); });
  window.addEventListener("pagehide", function () { source.close(); });
})();
