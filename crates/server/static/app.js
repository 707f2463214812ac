// Minzheng pages: progressive enhancement only (every page works without scripts).
// The home page chart: residents per region one level below the account's.
document.addEventListener('DOMContentLoaded', function () {
  var el = document.getElementById('chart');
  if (!el || !window.echarts) { return; }
  fetch(el.getAttribute('data-src'), { credentials: 'same-origin' })
    .then(function (r) { return r.json(); })
    .then(function (rows) {
      var chart = window.echarts.init(el);
      chart.setOption({
        animation: false,
        title: { text: el.getAttribute('data-title'), left: 'center', textStyle: { fontSize: 14 } },
        tooltip: {},
        grid: { bottom: 90 },
        xAxis: { type: 'category', data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: 35 } },
        yAxis: { type: 'value' },
        series: [{ type: 'bar', data: rows.map(function (r) { return r.persons; }), itemStyle: { color: '#b71c1c' } }]
      });
      el.setAttribute('data-rendered', String(rows.length));
    });
});

// Policy runs: charts whose data is in a data-chart attribute (categories and series).
document.addEventListener('DOMContentLoaded', function () {
  var els = document.querySelectorAll('.policy-chart');
  if (!window.echarts) { return; }
  var colors = ['#b71c1c', '#1565c0'];
  els.forEach(function (el) {
    var c = JSON.parse(el.getAttribute('data-chart'));
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      title: { text: c.title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: {},
      legend: c.series.length > 1 ? { bottom: 0 } : undefined,
      grid: { bottom: 100 },
      xAxis: { type: 'category', data: c.categories, axisLabel: { rotate: 35 }, name: c.x_name },
      yAxis: { type: 'value', name: c.y_name },
      series: c.series.map(function (s, i) { return { name: s[0], type: 'bar', data: s[1], itemStyle: { color: colors[i % 2] } }; })
    });
    el.setAttribute('data-rendered', String(c.categories.length));
  });
});

// Long forms (sweeps, what-ifs): say that the work is under way.
document.addEventListener('submit', function (e) {
  var f = e.target;
  if (!f.classList || !f.classList.contains('busy')) { return; }
  var w = f.querySelector('.working');
  if (w) { w.hidden = false; }
  var b = f.querySelector('button');
  if (b) { b.disabled = true; }
});
