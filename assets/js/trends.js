// Draws each trend table as a bar chart above it (Chart.js, served by the portal). The tables
// stay: they carry the same numbers for screen readers, keyboard users and pages without
// JavaScript. The data comes from the tables themselves, so the page needs no inline script.
(function () {
  "use strict";

  function rowsOf(table) {
    var labels = [];
    var values = [];
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var cell = row.querySelector("[data-value]");
      labels.push(row.querySelector("th").textContent.trim());
      values.push(Number(cell.getAttribute("data-value")));
    });
    return { labels: labels, values: values };
  }

  function draw(holder) {
    var table = document.getElementById(holder.getAttribute("data-chart-for"));
    if (!table || typeof window.Chart === "undefined") {
      return;
    }
    var data = rowsOf(table);
    var canvas = document.createElement("canvas");
    // The chart repeats the table below it: assistive technology reads the table instead.
    canvas.setAttribute("aria-hidden", "true");
    holder.appendChild(canvas);
    var sideways = table.id !== "table-month";
    holder.classList.add(sideways ? "qm-trend__chart--rows" : "qm-trend__chart--months");
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: table.getAttribute("data-chart"), data: data.values, backgroundColor: "#005ea2" }]
      },
      options: {
        indexAxis: sideways ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        // Counts are whole numbers: no ticks between them.
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart-for]").forEach(draw);
  });
})();
