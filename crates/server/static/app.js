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

// Charts whose data is in a data-chart attribute: a title, categories, named series, the kind
// (bar, the default, or line), stacked or not, and the axes' names with their units.
document.addEventListener('DOMContentLoaded', function () {
  var els = document.querySelectorAll('.policy-chart');
  if (!window.echarts) { return; }
  var colors = ['#b71c1c', '#1565c0', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#5d4037', '#c2185b', '#455a64', '#9e9d24'];
  els.forEach(function (el) {
    var c = JSON.parse(el.getAttribute('data-chart'));
    var chart = window.echarts.init(el);
    var many = c.series.length > 1;
    chart.setOption({
      animation: false,
      color: colors,
      title: { text: c.title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis', confine: true },
      legend: many ? { top: 24, type: 'scroll' } : undefined,
      grid: { top: many ? 64 : 44, bottom: 90, left: 70, right: 30, containLabel: false },
      xAxis: { type: 'category', data: c.categories, name: c.x_name, nameLocation: 'middle', nameGap: 70,
               axisLabel: { rotate: 35, interval: 0, width: 90, overflow: 'truncate' } },
      yAxis: { type: 'value', name: c.y_name },
      series: c.series.map(function (s) {
        return { name: s[0], type: c.kind || 'bar', stack: c.stack ? 'all' : undefined, data: s[1] };
      })
    });
    el.setAttribute('data-rendered', String(c.categories.length));
  });
});

// Forms keep what was typed. A form is sent in the background; when the server refuses it (a
// missing document, a wrong ID number, a stale page ...) the message is shown beside the form,
// or beside the field it names, and nothing typed is lost. A success goes on as a plain
// submission would: to the page the server sends to, or to the file it returns. Without this
// script the forms post as usual and an error comes back as a page in the site's frame.
// Forms marked data-plain (sign-in, sign-out) are left alone. Long forms (class busy: sweeps,
// what-ifs) say that the work is under way.
function mzShowError(form, error) {
  var old = form.querySelectorAll('.form-error');
  old.forEach(function (n) { n.remove(); });
  form.querySelectorAll('[aria-invalid]').forEach(function (n) { n.removeAttribute('aria-invalid'); });
  var p = document.createElement('p');
  p.className = 'error form-error';
  p.setAttribute('role', 'alert');
  p.setAttribute('data-code', error.code || '');
  p.textContent = error.message;
  var field = error.field && form.elements.namedItem(error.field);
  var el = field && (field.length !== undefined && !field.tagName ? field[0] : field);
  if (el) {
    // A list of boxes (documents) gets the message after its group; a field, after its label.
    var list = field.length !== undefined && !field.tagName;
    var at = (list && el.closest('fieldset')) || el.closest('label') || el;
    at.insertAdjacentElement('afterend', p);
    el.setAttribute('aria-invalid', 'true');
    if (el.focus) { el.focus(); }
  } else {
    form.insertAdjacentElement('afterbegin', p);
  }
  p.scrollIntoView({ block: 'center' });
}

function mzDone(form, busy) {
  var w = form.querySelector('.working');
  if (w) { w.hidden = true; }
  form.querySelectorAll('button').forEach(function (b) { b.disabled = false; });
  form.removeAttribute('data-sending');
  if (busy) { busy.hidden = true; }
}

document.addEventListener('submit', function (e) {
  var f = e.target;
  if (!(f instanceof HTMLFormElement)) { return; }
  var post = (f.getAttribute('method') || '').toLowerCase() === 'post';
  if (!post || f.hasAttribute('data-plain') || !window.fetch || !window.FormData) {
    if (f.classList.contains('busy')) {
      var w0 = f.querySelector('.working');
      if (w0) { w0.hidden = false; }
    }
    return;
  }
  // A button that sends the form elsewhere in a new tab (a printable notice) is left to the browser.
  if (e.submitter && e.submitter.hasAttribute('formtarget')) { return; }
  // A browser that does not say which button was pressed posts the form itself.
  if (e.submitter === undefined && f.querySelector('button[name]')) { return; }
  e.preventDefault();
  if (f.hasAttribute('data-sending')) { return; }
  // The button pressed carries a value (approve, lock, send back ...): FormData's second
  // argument is ignored by browsers before 2023, so it is added by hand where missing.
  var s = e.submitter;
  var data;
  try { data = new FormData(f, s || null); } catch (err) { data = new FormData(f); }
  if (s && s.name && !data.has(s.name)) { data.append(s.name, s.value); }
  f.setAttribute('data-sending', '1');
  var w = f.querySelector('.working');
  if (w) { w.hidden = false; }
  f.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
  var multipart = (f.getAttribute('enctype') || '').toLowerCase() === 'multipart/form-data';
  var body = multipart ? data : new URLSearchParams(data);
  // The attribute, not f.action: a field named "action" (the step forms have one) shadows it.
  var url = (e.submitter && e.submitter.getAttribute('formaction')) || f.getAttribute('action') || window.location.href;
  fetch(url, { method: 'POST', body: body, credentials: 'same-origin', headers: { 'x-minzheng-form': '1' } })
    .then(function (r) {
      var next = r.headers.get('x-minzheng-location');
      if (next) {
        var u = new URL(next, window.location.href);
        if (u.pathname + u.search === window.location.pathname + window.location.search) {
          // The same page again (a #fragment apart): load it afresh to show what changed.
          window.history.replaceState(null, '', u.href);
          window.location.reload();
        } else {
          window.location.assign(u.href);
        }
        return null;
      }
      var type = r.headers.get('content-type') || '';
      var disposition = r.headers.get('content-disposition') || '';
      if (!r.ok && type.indexOf('text/html') < 0) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          var e2 = j.error || {};
          var en = document.documentElement.lang === 'en';
          mzShowError(f, { code: e2.code, field: e2.field, message: (en ? e2.message_en : e2.message_zh) || String(r.status) });
          mzDone(f);
        });
      }
      if (r.ok && disposition.indexOf('attachment') >= 0) {
        return r.blob().then(function (b) {
          var m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
          var a = document.createElement('a');
          a.href = URL.createObjectURL(b);
          a.download = m ? decodeURIComponent(m[1]) : 'download';
          document.body.appendChild(a);
          a.click();
          a.remove();
          mzDone(f);
        });
      }
      if (r.ok && r.redirected) { window.location.assign(r.url); return null; }
      return r.text().then(function (html) {
        // A page drawn by the server (a result, or the form again with its message).
        document.open();
        document.write(html);
        document.close();
      });
    })
    .catch(function () {
      var en = document.documentElement.lang === 'en';
      mzShowError(f, { code: 'network', message: en ? 'The server could not be reached; nothing was changed. Try again.' : '无法连接服务器，本次提交未生效，请稍后重试' });
      mzDone(f);
    });
});

// 打印: a button that prints the page (the print style leaves out the menu and the forms).
document.addEventListener('click', function (e) {
  var b = e.target.closest && e.target.closest('[data-print]');
  if (b) { window.print(); }
});

// 受理: the applicant is looked up as soon as the full number is typed (name, masked number,
// owning county), without leaving the form; a wrong number is said at once.
document.addEventListener('input', function (e) {
  var el = e.target;
  if (!el.matches || !el.matches('#accept input[name=applicant]')) { return; }
  var out = document.getElementById('found');
  if (!out) { return; }
  var v = el.value.trim();
  // The service chooser keeps the number typed here.
  var kept = document.querySelector('#choose input[name=applicant]');
  if (kept) { kept.value = v; }
  if (v.length !== 18) { out.textContent = ''; out.className = ''; return; }
  var svc = document.querySelector('#choose select[name=service]');
  var url = '/cases/new?service=' + encodeURIComponent(svc ? svc.value : '') + '&applicant=' + encodeURIComponent(v);
  var en = document.documentElement.lang === 'en';
  // Only the answer for the number still in the box is shown (an older one arriving late is not).
  var still = function () { return el.value.trim() === v; };
  fetch(url, { credentials: 'same-origin', headers: { 'x-minzheng-form': '1' } }).then(function (r) {
    if (!r.ok) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!still()) { return; }
        var e2 = j.error || {};
        out.textContent = (en ? e2.message_en : e2.message_zh) || String(r.status);
        out.className = 'error';
      });
    }
    return r.text().then(function (html) {
      if (!still()) { return; }
      var found = new DOMParser().parseFromString(html, 'text/html').getElementById('found');
      out.textContent = found ? found.textContent : '';
      out.className = '';
    });
  }).catch(function () { /* the form still submits; acceptance says what is wrong */ });
});
