/* Mood tracker charts. Every chart is drawn from GET /api/v1/mood/summary/ (the URL is in the
   page's data-endpoint); the tables next to each chart carry the same numbers for anyone who
   cannot see the canvas. Chart.js is served from npm's dist folder (see settings). */
(function () {
  "use strict";

  var root = document.getElementById("tracker");
  var textNode = document.getElementById("tracker-text");
  if (!root || !textNode) { return; }
  var text = JSON.parse(textNode.textContent);
  var status = document.getElementById("chart-status");
  var lang = document.documentElement.lang || "en";
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  if (typeof window.Chart === "undefined") {
    if (status) { status.textContent = text.loading_failed; }
    return;
  }

  var dayFormat = new Intl.DateTimeFormat(lang, { month: "short", day: "numeric", timeZone: "UTC" });
  var monthFormat = new Intl.DateTimeFormat(lang, { year: "numeric", month: "short", timeZone: "UTC" });

  function asDate(iso) { return new Date(iso + "T00:00:00Z"); }
  function signed(value) {
    if (value === null || value === undefined) { return "–"; }
    var fixed = Math.abs(value).toFixed(2);
    return (value < 0 && fixed !== "0.00" ? "\u2212" : "+") + fixed;
  }
  function periodLabel(period, granularity) {
    if (granularity === "month") { return monthFormat.format(asDate(period.start)); }
    if (granularity === "week") {
      return dayFormat.format(asDate(period.start)) + "–" + dayFormat.format(asDate(period.end));
    }
    return dayFormat.format(asDate(period.start));
  }
  function entryUrl(summary, id) { return summary.entry_url.replace(/\/0\/$/, "/" + id + "/"); }

  Chart.defaults.font.size = 14;
  Chart.defaults.color = "#111";
  Chart.defaults.animation = reducedMotion ? false : { duration: 300 };
  Chart.defaults.maintainAspectRatio = false;

  var valenceScale = {
    min: -1, max: 1,
    ticks: { stepSize: 0.5, callback: function (v) { return signed(v); } },
    title: { display: true, text: text.valence }
  };

  function drawTimeline(canvas, summary) {
    var days = summary.days;
    var colours = {};
    summary.emotions.forEach(function (e) { colours[e.key] = e.colour; });
    return new Chart(canvas, {
      type: "line",
      data: {
        labels: days.map(function (d) { return dayFormat.format(asDate(d.date)); }),
        datasets: [
          {
            label: text.valence,
            data: days.map(function (d) { return d.valence; }),
            showLine: false,
            pointRadius: days.length > 120 ? 3 : 6,
            pointHoverRadius: 9,
            pointStyle: "circle",
            pointBackgroundColor: days.map(function (d) { return d.emotion ? colours[d.emotion] : "#999999"; }),
            pointBorderColor: "#111",
            borderColor: "#111"
          },
          {
            label: text.rolling,
            data: days.map(function (d) { return d.rolling_mean; }),
            borderColor: "#000000",
            borderWidth: 3,
            borderDash: [6, 4],
            pointRadius: 0,
            spanGaps: true,
            tension: 0.25
          }
        ]
      },
      options: {
        scales: { y: valenceScale, x: { ticks: { autoSkip: true, maxRotation: 0 } } },
        interaction: { mode: "nearest", intersect: true },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.some(function (el) {
            return el.datasetIndex === 0 && days[el.index].entry_id;
          }) ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          var hit = elements.find(function (el) { return el.datasetIndex === 0; });
          if (hit && days[hit.index].entries > 1 && root.dataset.dayUrl) {
            // several entries that day: their list, as the calendar opens it
            window.location.href = root.dataset.dayUrl.replace("0000-00-00", days[hit.index].date);
          } else if (hit && days[hit.index].entry_id) {
            window.location.href = entryUrl(summary, days[hit.index].entry_id);
          }
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var day = days[ctx.dataIndex];
                var line = ctx.dataset.label + ": " + signed(ctx.parsed.y);
                if (ctx.datasetIndex === 0 && day.emotion) {
                  var e = summary.emotions.find(function (item) { return item.key === day.emotion; });
                  var source = (text.sources || {})[day.source];
                  line += " (" + e.symbol + " " + e.label + (source ? ", " + source : "") + ")";
                }
                return line;
              }
            }
          }
        }
      }
    });
  }

  function drawDistribution(canvas, summary) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: summary.periods.map(function (p) { return periodLabel(p, summary.granularity); }),
        datasets: summary.emotions.map(function (e) {
          return {
            label: e.symbol + " " + e.label,
            data: summary.periods.map(function (p) { return p.counts[e.key] || 0; }),
            backgroundColor: e.colour,
            borderColor: "#111",
            borderWidth: 1
          };
        })
      },
      options: {
        scales: {
          x: { stacked: true, ticks: { autoSkip: true, maxRotation: 0 } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: text.entries } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  function drawWeekday(canvas, summary) {
    var means = summary.weekdays.map(function (w) { return w.mean; });
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: summary.weekdays.map(function (w) { return w.name; }),
        datasets: [{
          label: text.average,
          data: means,
          // Blue above zero, vermilion below (Okabe–Ito); the sign is also in the axis and table.
          backgroundColor: means.map(function (m) { return m !== null && m < 0 ? "#D55E00" : "#0072B2"; }),
          borderColor: "#111",
          borderWidth: 1
        }]
      },
      options: {
        scales: { y: valenceScale },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var w = summary.weekdays[ctx.dataIndex];
                return text.average + ": " + signed(w.mean) + " · " + text.entries + ": " + w.entries;
              }
            }
          }
        }
      }
    });
  }

  var drawers = { timeline: drawTimeline, distribution: drawDistribution, weekday: drawWeekday };
  var charts = [];

  fetch(root.dataset.endpoint, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(function (summary) {
      root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
        charts.push(drawers[canvas.dataset.chart](canvas, summary));
        canvas.dataset.drawn = "true";
      });
      if (status && !summary.totals.entries) { status.textContent = text.no_data; }
      root.dataset.chartsReady = "true";
    })
    .catch(function () {
      if (status) { status.textContent = text.loading_failed; }
      root.dataset.chartsReady = "failed";
    });

  // Redraw at paper width before printing, and back afterwards.
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("afterprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
