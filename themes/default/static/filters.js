/* Category filters and sorting in the browser over form[data-src] (shape: themes/default/README.md).
   Without this script the paginated list works as it is. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var grid = document.getElementById("cards");
  if (!form || !grid || !window.fetch || !window.URLSearchParams) return;
  var d = form.dataset;
  var status = document.getElementById("filter-status");
  var more = document.getElementById("more");
  var pager = document.querySelector(".pager");
  var original = grid.innerHTML;
  var STEP = 48;
  var all = null, list = [], shown = 0, loading = null;

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }
  function fill(tpl, k, v) { return tpl.split("{" + k + "}").join(v); }
  function num(v) {
    if (v == null || String(v).trim() === "") return null;
    var n = Number(v);
    return isFinite(n) ? n : null;
  }

  function state() {
    var f = new FormData(form);
    return {
      min: num(f.get("min")), max: num(f.get("max")),
      brands: f.getAll("brand"), shops: f.getAll("shop"),
      available: f.has("available"), sort: f.get("sort") || ""
    };
  }
  function isDefault(s) {
    return s.min === null && s.max === null && !s.brands.length && !s.shops.length && !s.available && !s.sort;
  }

  function picture(img) {
    if (!img) return "";
    var sizes = esc(d.sizes || "100vw");
    var w = function (set) { return /w\s*$/.test(set) ? ' sizes="' + sizes + '"' : ""; };
    var tag = '<img src="' + esc(img.src) + '"' +
      (img.srcset ? ' srcset="' + esc(img.srcset) + '"' + w(img.srcset) : "") +
      ' width="' + esc(img.width) + '" height="' + esc(img.height) + '" alt="" loading="lazy" decoding="async">';
    if (img.webp_srcset) {
      tag = '<picture><source type="image/webp" srcset="' + esc(img.webp_srcset) + '"' + w(img.webp_srcset) + ">" + tag + "</picture>";
    }
    return tag;
  }

  function card(c) {
    var shops = c.shops || [];
    var price = c.price_text
      ? '<strong class="price">' + esc(c.price_text) + "</strong>" +
        (c.old_price_text ? ' <s class="old-price"><span class="visually-hidden">' + esc(d.old) + " </span>" + esc(c.old_price_text) + "</s>" : "") +
        (c.discount ? ' <span class="badge">' + esc(fill(d.badge, "n", c.discount)) + "</span>" : "")
      : '<span class="out">' + esc(d.out) + "</span>";
    return '<article class="card' + (c.available ? "" : " card--out") + '" data-price="' + esc(c.price == null ? "" : c.price) +
      '" data-discount="' + esc(c.discount || 0) + '" data-brand="' + esc(c.brand_slug) + '" data-shops="' + esc(shops.join(" ")) + '">' +
      '<div class="card-img">' + picture(c.img) + "</div>" +
      '<h3 class="card-title"><a href="' + esc(c.url) + '">' + esc(c.title) + "</a></h3>" +
      (c.brand ? '<p class="card-brand">' + esc(c.brand) + "</p>" : "") +
      (shops.length > 1 ? '<p class="card-shops">' + esc(fill(d.offers, "n", shops.length)) + "</p>" : "") +
      '<p class="card-price">' + price + "</p>" +
      "</article>";
  }

  function select(s) {
    var out = all.filter(function (c) {
      if (s.available && !c.available) return false;
      if ((s.min !== null || s.max !== null) && c.price == null) return false;
      if (s.min !== null && c.price < s.min) return false;
      if (s.max !== null && c.price > s.max) return false;
      if (s.brands.length && s.brands.indexOf(c.brand_slug) < 0) return false;
      if (s.shops.length && !(c.shops || []).some(function (k) { return s.shops.indexOf(k) >= 0; })) return false;
      return true;
    });
    var key = {
      "price-asc": function (a, b) { return nul(a.price, b.price) || a.price - b.price; },
      "price-desc": function (a, b) { return nul(a.price, b.price) || b.price - a.price; },
      "discount": function (a, b) { return (b.discount || 0) - (a.discount || 0); }
    }[s.sort];
    if (key) {
      // stable sort: keep the catalog order among equals
      out = out.map(function (c, i) { return [c, i]; })
        .sort(function (a, b) { return key(a[0], b[0]) || a[1] - b[1]; })
        .map(function (p) { return p[0]; });
    }
    return out;
  }
  // cards without a price go last whatever the direction
  function nul(a, b) { return (a == null) - (b == null); }

  function showMore() {
    var next = list.slice(shown, shown + STEP);
    grid.insertAdjacentHTML("beforeend", next.map(card).join(""));
    shown += next.length;
    if (more) more.hidden = shown >= list.length;
  }

  function say(text) { if (status) status.textContent = text; }

  function load() {
    if (all) return Promise.resolve(all);
    if (!loading) {
      loading = fetch(d.src, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (j) { all = j.cards || []; return all; });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  function syncUrl(s) {
    var q = new URLSearchParams();
    if (s.min !== null) q.set("min", s.min);
    if (s.max !== null) q.set("max", s.max);
    s.brands.forEach(function (b) { q.append("brand", b); });
    s.shops.forEach(function (b) { q.append("shop", b); });
    if (s.available) q.set("available", "1");
    if (s.sort) q.set("sort", s.sort);
    var qs = q.toString();
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : "") + location.hash);
  }

  function apply() {
    var s = state();
    syncUrl(s);
    if (isDefault(s)) {
      grid.innerHTML = original;
      if (pager) pager.hidden = false;
      if (more) more.hidden = true;
      say("");
      return;
    }
    say(d.loading);
    load().then(function () {
      var cur = state();
      if (isDefault(cur)) return;
      list = select(cur);
      shown = 0;
      grid.innerHTML = "";
      if (pager) pager.hidden = true;
      showMore();
      say(list.length ? fill(d.count, "n", list.length) : d.none);
    }, function () { say(d.error); });
  }

  function restore() {
    var q = new URLSearchParams(location.search);
    var any = false;
    ["min", "max"].forEach(function (k) {
      if (q.get(k) !== null && form.elements[k]) { form.elements[k].value = q.get(k); any = true; }
    });
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
      if (q.getAll(box.name).indexOf(box.value) >= 0) { box.checked = true; any = true; }
    });
    var sort = form.elements.sort;
    if (sort && q.get("sort") && sort.querySelector('option[value="' + q.get("sort").replace(/["\\]/g, "") + '"]')) {
      sort.value = q.get("sort"); any = true;
    }
    return any;
  }

  var timer = 0;
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  form.addEventListener("change", function () { apply(); });
  form.addEventListener("input", function (e) {
    if (e.target.type !== "number") return;
    clearTimeout(timer);
    timer = setTimeout(apply, 400);
  });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  if (more) more.addEventListener("click", showMore);

  form.hidden = false;
  var box = form.querySelector("details");
  if (box && window.matchMedia && matchMedia("(min-width: 48em)").matches) box.open = true;
  if (restore()) {
    if (box) box.open = true;
    apply();
  }
})();
