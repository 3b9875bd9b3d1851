// The client page's two charts, drawn from the figures the server put in #trend-data.
(function () {
  "use strict";
  var source = document.getElementById("trend-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var valence = document.getElementById("valence-chart");
  if (valence) {
    new Chart(valence, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.text.daily, data: data.valence, borderColor: "#004c99", backgroundColor: "#004c99",
            pointRadius: 2, spanGaps: false, showLine: false },
          { label: data.text.rolling, data: data.rolling, borderColor: "#D55E00", borderWidth: 3,
            pointRadius: 0, spanGaps: true }
        ]
      },
      options: {
        animation: false,
        scales: { y: { min: -1, max: 1 }, x: { ticks: { maxTicksLimit: 10 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
  var emotions = document.getElementById("emotion-chart");
  if (emotions) {
    new Chart(emotions, {
      type: "bar",
      data: {
        labels: data.weeks.map(function (w) { return w.start; }),
        datasets: data.emotions.map(function (e) {
          return { label: e.label, backgroundColor: e.colour,
                   data: data.weeks.map(function (w) { return w.counts[e.name] || 0; }) };
        })
      },
      options: {
        animation: false,
        scales: { x: { stacked: true, title: { display: true, text: data.text.week } },
                  y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
})();
