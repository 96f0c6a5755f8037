/* The supervisor dashboard's charts (Chart.js, vendored in vendor/chart.umd.js).
   The figures come from the page's JSON data block; a click on a point or a slice opens the
   list behind it. Every figure also has a plain link, so nothing needs this script. */
(function () {
  "use strict";

  var COLOURS = ["#2f5fb3", "#1b8a2e", "#e59400", "#8e44ad", "#c41d1d", "#16a2a2", "#666666"];

  function data() {
    var node = document.getElementById("dashboard-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function go(href) {
    if (href) window.location.assign(href);
  }

  function hourly(canvas, figures) {
    return new Chart(canvas, {
      type: "line",
      data: {
        labels: figures.hours,
        datasets: figures.series.map(function (s, i) {
          return {
            label: s.label,
            data: s.counts,
            borderColor: COLOURS[i % COLOURS.length],
            backgroundColor: COLOURS[i % COLOURS.length],
            pointRadius: 3,
            pointHoverRadius: 6,
            cubicInterpolationMode: "monotone"
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "nearest", intersect: true },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 14 } } },
        onClick: function (event, elements) {
          if (!elements.length) return;
          var hit = elements[0];
          var href = figures.series[hit.datasetIndex].href;
          go(href + (href.indexOf("?") < 0 ? "?" : "&") + "hour=" + hit.index);
        }
      }
    });
  }

  function mix(canvas, slices) {
    return new Chart(canvas, {
      type: "doughnut",
      data: {
        labels: slices.map(function (s) { return s.label; }),
        datasets: [{
          data: slices.map(function (s) { return s.count; }),
          backgroundColor: slices.map(function (s, i) { return COLOURS[i % COLOURS.length]; })
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "right", labels: { boxWidth: 14 } } },
        onClick: function (event, elements) {
          if (elements.length) go(slices[elements[0].index].href);
        }
      }
    });
  }

  function start() {
    var figures = data();
    if (!figures || typeof Chart === "undefined") return;
    Chart.defaults.font.family = 'system-ui, "Noto Sans CJK SC", sans-serif';
    Chart.defaults.font.size = 13;
    var hourlyCanvas = document.getElementById("hourly-chart");
    if (hourlyCanvas) hourly(hourlyCanvas, figures);
    var mixCanvas = document.getElementById("mix-chart");
    if (mixCanvas && figures.mix.length) mix(mixCanvas, figures.mix);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
