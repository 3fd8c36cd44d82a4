/* SPBE Portal: a button with data-copy-target="id" copies the value of that (readonly) textarea to
   the clipboard with the Clipboard API and says so in the [data-copy-status] next to it. The button
   is hidden until this script shows it; without JavaScript, or where the browser offers no
   clipboard (a page not served over HTTPS), the text stays in the textarea to select by hand. */
(function () {
  "use strict";
  function ready(callback) {
    if (document.readyState !== "loading") { callback(); } else { document.addEventListener("DOMContentLoaded", callback); }
  }
  ready(function () {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      if (!source || !navigator.clipboard || !navigator.clipboard.writeText) { return; }
      var status = button.parentNode.querySelector("[data-copy-status]");
      button.classList.remove("d-none");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.value).then(function () {
          if (status) { status.textContent = button.getAttribute("data-copied"); }
        }, function () {
          source.focus();
          source.select();
          if (status) { status.textContent = button.getAttribute("data-copy-failed"); }
        });
      });
    });
  });
}());
