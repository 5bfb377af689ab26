/* The site's only script, loaded from our own origin (the Content-Security-
   Policy allows no inline code). Every page works without it; it adds:
   - <form data-confirm="…"> or <button data-confirm="…"> asks before submitting;
   - <select data-autosubmit> submits its form when changed;
   - a background job's progress bar follows the job;
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
    // A background job's page (templates/includes/job_progress.html): the bar
    // follows the job; the page reloads when it ends. Without the script the
    // page refreshes itself every few seconds.
    var job = document.querySelector("[data-job-status]");
    if (job && window.fetch) {
      var stage = document.getElementById("job-stage");
      var count = document.getElementById("job-count");
      var bar = document.getElementById("job-bar");
      var poll = function () {
        fetch(job.getAttribute("data-job-status"), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (status) {
            if (!status.active) {
              window.location.reload();
              return;
            }
            if (status.stage) stage.textContent = status.stage;
            count.textContent = status.total ? "— " + status.done_text + " / " + status.total_text : "";
            if (status.percent === null) {
              bar.removeAttribute("value");
            } else {
              bar.value = status.percent;
            }
            window.setTimeout(poll, 1000);
          })
          .catch(function () { window.setTimeout(poll, 5000); });
      };
      window.setTimeout(poll, 1000);
    }
    // A part of the page counted after it (templates/reports/_findings_open.html):
    // fetched once and put in place; without the script, its link stays.
    document.querySelectorAll("[data-fragment]").forEach(function (part) {
      if (!window.fetch) return;
      fetch(part.getAttribute("data-fragment"), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html.trim();
          if (holder.firstElementChild) part.replaceWith(holder.firstElementChild);
        })
        .catch(function () { /* the link to the checks stays */ });
    });
    // Long drop-downs (a district's 265 branches) get a box to type in: the
    // list keeps the options whose words contain what is typed, without
    // diacritics ("xom 1" finds "Xóm 1 — Quỳnh Thanh").
    var fold = function (text) {
      return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
    };
    document.querySelectorAll("select:not([multiple])").forEach(function (select) {
      if (select.options.length < 20) return;
      var box = document.createElement("input");
      box.type = "search";
      box.className = "select-filter";
      box.placeholder = document.documentElement.lang === "en" ? "Type to search…" : "Gõ để tìm…";
      box.setAttribute("aria-label", box.placeholder);
      box.setAttribute("aria-controls", select.id);
      select.parentNode.insertBefore(box, select);
      box.addEventListener("input", function () {
        var words = fold(box.value).split(/\s+/).filter(Boolean);
        var first = null;
        Array.prototype.forEach.call(select.options, function (option) {
          var text = fold(option.text);
          var shown = !option.value || words.every(function (word) { return text.indexOf(word) !== -1; });
          option.hidden = !shown;
          if (shown && option.value && first === null) first = option;
        });
        if (first && select.selectedOptions.length && select.selectedOptions[0].hidden) select.value = first.value;
      });
    });
  });
})();
