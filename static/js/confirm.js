/* SPBE Portal: asks before an irreversible one-click action. A form, or the button that submits it,
   carries data-confirm="question"; submitting asks the question and posts nothing unless the user
   agrees. The button's question wins over the form's. Without JavaScript the form posts as before. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
}());
