/* Search page: queries the Pagefind index (form[data-index] + "pagefind.js") for ?q= and shows the
   results as product cards. Product pages give Pagefind the meta title, image and price. */
(function () {
  "use strict";
  var form = document.getElementById("search");
  var box = document.getElementById("results");
  if (!form || !box || !window.URLSearchParams) return;
  var d = form.dataset;
  var input = form.elements.q;
  var status = document.getElementById("search-status");
  var more = document.getElementById("more");
  var STEP = 24;
  var pf = null, results = [], shown = 0, seq = 0;

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }
  function fill(tpl, k, v) { return tpl.split("{" + k + "}").join(v); }
  function say(text) { if (status) status.textContent = text; }

  function card(r, i) {
    var m = r.meta || {};
    var lazy = shown > STEP || i > 1 ? ' loading="lazy" decoding="async"' : "";
    return '<article class="card"><div class="card-img">' +
      (m.image ? '<img src="' + esc(m.image) + '" width="300" height="300" alt=""' + lazy + ">" : "") +
      '</div><h3 class="card-title"><a href="' + esc(r.url) + '">' + esc(m.title || r.url) + "</a></h3>" +
      (m.price ? '<p class="card-price"><strong class="price">' + esc(m.price) + "</strong></p>" : "") +
      "</article>";
  }

  function engine() {
    if (!pf) {
      var base = d.index || "/pagefind/";
      // The index may be split into shards (data-merge): the first that loads is the primary, the others
      // are merged into it; a shard with no products has no bundle and is skipped.
      var urls = [base].concat((d.merge || "").split(" ").filter(Boolean));
      var load = function (i) {
        if (i >= urls.length) return Promise.reject(new Error("no search index"));
        return import(urls[i].replace(/\/?$/, "/") + "pagefind.js").then(function (mod) {
          return Promise.resolve(mod.init && mod.init()).then(function () {
            return Promise.all(urls.slice(i + 1).map(function (url) {
              return mod.mergeIndex(url).catch(function () {});
            }));
          }).then(function () { return mod; });
        }, function () { return load(i + 1); });
      };
      pf = load(0);
      pf.catch(function () { pf = null; });
    }
    return pf;
  }

  function showMore(mine) {
    var next = results.slice(shown, shown + STEP);
    shown += next.length;
    if (more) more.hidden = true;
    return Promise.all(next.map(function (r) { return r.data(); })).then(function (data) {
      if (mine !== seq) return;
      box.insertAdjacentHTML("beforeend", data.map(card).join(""));
      if (more) more.hidden = shown >= results.length;
    });
  }

  function run(q) {
    var mine = ++seq;
    q = (q || "").trim();
    input.value = q;
    box.innerHTML = "";
    results = [];
    shown = 0;
    if (more) more.hidden = true;
    if (!q) { say(d.empty); return; }
    say(d.loading);
    engine().then(function (mod) { return mod.search(q); }).then(function (s) {
      if (mine !== seq) return;
      results = (s && s.results) || [];
      if (!results.length) { say(fill(d.none, "q", q)); return; }
      say(fill(d.count, "n", results.length));
      return showMore(mine);
    }).catch(function () { if (mine === seq) say(d.error); });
  }

  function fromUrl() { run(new URLSearchParams(location.search).get("q")); }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value.trim();
    history.pushState(null, "", location.pathname + (q ? "?q=" + encodeURIComponent(q) : ""));
    run(q);
  });
  if (more) more.addEventListener("click", function () { showMore(seq); });
  window.addEventListener("popstate", fromUrl);
  fromUrl();
})();
