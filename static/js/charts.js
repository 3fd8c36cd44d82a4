/* SPBE Portal: draws the charts of a page with the vendored Chart.js. Each chart is a <canvas
   data-chart="ID"> whose data sits in <script type="application/json" id="ID">; the same numbers
   are in a table beside it. Numbers use the page's language (3,23 in Indonesian). */
(function () {
  "use strict";
  var COLOURS = ["#1f5fbf", "#d9822b", "#2e9e5b", "#b03a5b", "#6c4fb3", "#2b9fb5", "#8a6d3b"];

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof window.Chart === "undefined") { return; }
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var locale = document.documentElement.lang === "id" ? "id-ID" : "en-GB";
    var number = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    var datasets = spec.datasets.map(function (set, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: set.label, data: set.data, borderColor: colour, spanGaps: true, borderDash: set.estimate ? [6, 4] : [],
        backgroundColor: spec.type === "radar" ? colour + "33" : colour, borderWidth: spec.type === "bar" ? 0 : 2
      };
    });
    var scales = {};
    if (spec.type === "radar") {
      scales.r = { min: 0, max: spec.max || 5, ticks: { stepSize: 1, callback: function (v) { return v; } } };
    } else if (spec.type === "bar" && spec.horizontal) {
      scales.x = { min: 0, max: spec.max || 5, ticks: { callback: function (v) { return number.format(v); } } };
    } else if (spec.integer) {
      scales.y = { min: 0, ticks: { stepSize: 1, precision: 0 } };
    } else if (spec.max) {
      scales.y = { min: 0, max: spec.max, ticks: { callback: function (v) { return number.format(v); } } };
    }
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        locale: locale, animation: false, responsive: true, maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x", scales: scales,
        plugins: { tooltip: { callbacks: { label: function (context) {
          var value = context.raw;
          return context.dataset.label + ": " + (value === null ? "—" : (Number.isInteger(value) && !spec.max ? value : number.format(value)));
        } } } }
      }
    });
    canvas.dataset.drawn = "1";
  }

  function drawAll(root) { (root || document).querySelectorAll("canvas[data-chart]").forEach(draw); }
  document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
})();
