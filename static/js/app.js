/* The site's only script, loaded from our own origin (the Content-Security-
   Policy allows no inline code). Every page works without it; it adds:
   - <form data-confirm="…"> or <button data-confirm="…"> asks before submitting;
   - <select data-autosubmit> submits its form when changed;
   - on a phone, the menu behind its button and <details data-fold-on-phone> folded. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
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
  document.addEventListener("DOMContentLoaded", function () {
    var phone = window.matchMedia("(max-width: 640px)").matches;
    var toggle = document.querySelector(".menu-toggle");
    var nav = document.getElementById("main-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    if (phone) {
      document.querySelectorAll("details[data-fold-on-phone]").forEach(function (details) {
        details.open = false;
      });
    }
  });
})();
