/* SPBE Portal: small helpers for forms; each works from data attributes and the form works without it.
   - A <select data-filter-by="NAME"> whose options carry data-agencies="3 7" shows only the options of the
     value chosen in the form's field NAME (the people of the chosen agency). The server checks it too.
   - A <button data-formset-add="PREFIX"> adds a row to the formset PREFIX: it clones the <template
     id="PREFIX-empty-row"> (Django's empty form, with __prefix__) into <tbody id="PREFIX-rows"> and
     counts it in PREFIX-TOTAL_FORMS. */
(function () {
  "use strict";

  function filterOptions(select) {
    var source = select.form && select.form.elements[select.dataset.filterBy];
    if (!source) { return; }
    var chosen = source.value;
    Array.prototype.forEach.call(select.options, function (option) {
      if (option.dataset.agencies === undefined) { return; }
      var fits = chosen !== "" && option.dataset.agencies.split(" ").indexOf(chosen) !== -1;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) { select.value = ""; }
    });
  }

  function addRow(button) {
    var prefix = button.dataset.formsetAdd;
    var template = document.getElementById(prefix + "-empty-row");
    var rows = document.getElementById(prefix + "-rows");
    var total = document.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var maximum = document.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    if (!template || !rows || !total) { return; }
    var index = parseInt(total.value, 10);
    if (maximum && index >= parseInt(maximum.value, 10)) { return; }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = rows.lastElementChild && rows.lastElementChild.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-filter-by]").forEach(function (select) {
      var source = select.form && select.form.elements[select.dataset.filterBy];
      if (!source) { return; }
      source.addEventListener("change", function () { filterOptions(select); });
      filterOptions(select);
    });
    document.querySelectorAll("[data-formset-add]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { addRow(button); });
    });
  });
}());
