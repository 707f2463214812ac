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
