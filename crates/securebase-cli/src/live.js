(function () {
  'use strict';
  var overlay = null;
  function show(text) {
    if (!overlay) {
      overlay = document.createElement('div');
      overlay.setAttribute('role', 'alert');
      overlay.id = 'securebase-error-overlay';
      var s = overlay.style;
      s.position = 'fixed'; s.inset = '0'; s.zIndex = '2147483647'; s.overflow = 'auto';
      s.background = 'rgba(20, 20, 24, 0.95)'; s.color = '#ffd7d7'; s.padding = '2rem';
      s.font = '15px/1.5 ui-monospace, monospace'; s.whiteSpace = 'pre-wrap';
      document.body.appendChild(overlay);
    }
    overlay.textContent = 'securebase could not rebuild; still serving the last good build.\n\n' + text;
  }
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  var events = new EventSource('/__securebase/events');
  events.addEventListener('reload', function () { location.reload(); });
  events.addEventListener('failed', function (e) { show(e.data); });
  events.addEventListener('ok', hide);
})();
