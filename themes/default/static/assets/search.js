/* securebase search; DOM built with textContent only. */
(function () {
  'use strict';
  var d = document, input = d.getElementById('search-input'),
    status = d.getElementById('search-status'), list = d.getElementById('search-results'),
    entries = null, failed = false, timer = 0;
  if (!input || !status || !list) return;

  function str(v) { return typeof v === 'string' ? v : ''; }
  // Same-origin paths only: no "//host", "/\host", controls or spaces.
  function safe(u) { return /^\/(?![\/\\])/.test(u) && !/[\u0000-\u0020\\]/.test(u); }
  function say(m) { status.textContent = m; }
  function el(tag, text) { var e = d.createElement(tag); e.textContent = text; return e; }

  function run() {
    var q = input.value.trim(), qq = '\u201c' + q + '\u201d', hits = [];
    while (list.firstChild) list.removeChild(list.firstChild);
    try { history.replaceState(null, '', q ? '?q=' + encodeURIComponent(q) : location.pathname); } catch (e) {}
    if (failed) return;
    if (!q) return say('Type a word to search.');
    if (!entries) return say('Loading\u2026');
    var words = q.toLowerCase().split(/\s+/);
    entries.forEach(function (e) {
      var t = 0, s = 0, x = 0;
      for (var i = 0; i < words.length; i++) {
        if (e.t.indexOf(words[i]) >= 0) t++;
        else if (e.s.indexOf(words[i]) >= 0) s++;
        else if (e.x.indexOf(words[i]) >= 0) x++;
        else return;
      }
      hits.push({ e: e, t: t, s: s, x: x });
    });
    hits.sort(function (a, b) {
      return b.t - a.t || b.s - a.s || b.x - a.x || a.e.title.localeCompare(b.e.title);
    });
    hits.slice(0, 20).forEach(function (h) {
      var li = el('li', ''), a = el('a', h.e.title);
      a.setAttribute('href', h.e.url);
      li.appendChild(a);
      if (h.e.summary) li.appendChild(el('span', h.e.summary)).className = 'link-summary';
      list.appendChild(li);
    });
    var n = hits.length;
    say(n ? n + ' result' + (n > 1 ? 's' : '') + ' for ' + qq + (n > 20 ? ' (first 20 shown)' : '')
      : 'No results for ' + qq + '. Try other words.');
  }

  input.value = new URLSearchParams(location.search).get('q') || '';
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
  if (input.form) input.form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    clearTimeout(timer);
    run();
  });
  run();

  fetch('/search-index.json')
    .then(function (r) { if (!r.ok) throw r.status; return r.json(); })
    .then(function (data) {
      entries = [];
      data.entries.forEach(function (e) {
        if (!e || !safe(str(e.url)) || !str(e.title)) return;
        var s = str(e.summary);
        entries.push({ title: e.title, summary: s, url: e.url,
          t: e.title.toLowerCase(), s: s.toLowerCase(), x: str(e.text).toLowerCase() });
      });
      run();
    })
    .catch(function () {
      failed = true;
      say('Sorry, search could not load. Please try again later.');
    });
})();
