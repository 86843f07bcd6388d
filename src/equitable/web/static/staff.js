// Staff console: move the keyboard and screen-reader focus to the result of a save or an error
// (WCAG 2.4.3 Focus Order; 4.1.3 Status Messages). The element to focus carries data-focus.
(function () {
  function focusResult(root) {
    var el = (root || document).querySelector("[data-focus]");
    if (el) { el.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusResult(document); });
  document.addEventListener("htmx:afterSwap", function (e) { focusResult(e.target.parentNode || document); });
})();
