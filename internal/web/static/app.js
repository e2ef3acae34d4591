// anken: progressive enhancement for the search page. Without JavaScript
// the filter form submits as a normal GET; with it, changing a filter
// fetches the same /search URL and swaps in the new results and counts,
// keeping the URL (the search's state) in the address bar.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form || !window.fetch || !window.DOMParser || !window.history.replaceState) {
    return;
  }
  var pending = null;
  var timer = 0;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (value !== "") {
        params.append(name, value);
      }
    });
    return params.toString();
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var open = {};
    document.querySelectorAll("#groups details").forEach(function (d) {
      open[d.querySelector("summary").textContent] = d.open;
    });
    ["groups", "results"].forEach(function (id) {
      var fresh = doc.getElementById(id);
      var old = document.getElementById(id);
      if (fresh && old) {
        old.replaceWith(document.importNode(fresh, true));
      }
    });
    document.querySelectorAll("#groups details").forEach(function (d) {
      var was = open[d.querySelector("summary").textContent];
      if (was !== undefined) { d.open = was; }
    });
    if (doc.title) {
      document.title = doc.title;
    }
  }

  function refresh() {
    var url = "/search" + (query() ? "?" + query() : "");
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    var results = document.getElementById("results");
    if (results) {
      results.setAttribute("aria-busy", "true");
    }
    var focused = document.activeElement && document.activeElement.id;
    fetch(url, { signal: pending.signal, headers: { "Accept": "text/html" } })
      .then(function (resp) {
        if (!resp.ok) { throw new Error(resp.status); }
        return resp.text();
      })
      .then(function (html) {
        swap(html);
        window.history.replaceState(null, "", url);
        if (focused) {
          var el = document.getElementById(focused);
          if (el) { el.focus(); }
        }
      })
      .catch(function (err) {
        if (err.name !== "AbortError") {
          window.location.assign(url); // fall back to a full page load
        }
      });
  }

  form.addEventListener("change", function (ev) {
    if (ev.target && ev.target.name === "q") {
      return; // the keyword applies on submit
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 150);
  });
})();
