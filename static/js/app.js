/* The site's only script, loaded from our own origin (the Content-Security-
   Policy allows no inline code):
   - <form data-confirm="…"> or <button data-confirm="…"> asks before submitting;
   - <select data-autosubmit> submits its form when changed. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
})();
