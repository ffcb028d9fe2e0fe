// Live updates: poll the pending list and reload when it changed, unless someone is typing a comment.
(function () {
  'use strict';
  var base = location.pathname.replace(/\/$/, '');
  function ids() {
    return Array.prototype.map.call(document.querySelectorAll('article.pending'), function (a) {
      return a.getAttribute('data-id');
    }).join(',');
  }
  function typing() {
    var el = document.activeElement;
    return el && el.tagName === 'TEXTAREA' && el.value !== '';
  }
  function poll() {
    fetch(base + '/api/pending', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (list) {
        if (list && list.map(function (p) { return p.id; }).join(',') !== ids() && !typing()) {
          location.reload();
        }
      })
      .catch(function () {});
  }
  setInterval(poll, 3000);
}());
