import { createHash } from 'node:crypto';

/**
 * The page's one script, inline and fixed (no host text in it): shows the filter and search
 * box, reads `#filter=failed,changed&q=text` (or the same as a query) so a link or a plain
 * screenshot can open the page filtered, and hides what the filter or search leaves out by
 * classes the stylesheet acts on. Without it the page shows everything.
 */
export const SCRIPT = `(function () {
  var d = document, b = d.body, form = d.getElementById('controls');
  if (!form) return;
  var boxes = [].slice.call(form.querySelectorAll('input[name=st]')), q = d.getElementById('q'), shown = d.getElementById('shown');
  var low = function (el) { return el.cnetText || (el.cnetText = el.textContent.toLowerCase()); };
  var toggle = function (el, cls, on) { el.classList.toggle(cls, on); };
  var all = function (sel, f) { [].forEach.call(d.querySelectorAll(sel), f); };
  function apply(save) {
    var off = {}, s = q.value.trim().toLowerCase(), hit = {}, n = 0, total = 0;
    boxes.forEach(function (x) { off[x.value] = !x.checked; toggle(b, 'hide-' + x.value, !x.checked); });
    all('section.host[id]', function (el) { var m = !s || low(el).indexOf(s) >= 0; toggle(el, 'nomatch', !m); if (m) hit[el.id] = 1; });
    all('details.fold', function (f) {
      var whole = !s || low(f.querySelector('section')).indexOf(s) >= 0, any = false;
      [].forEach.call(f.querySelectorAll('li[id]'), function (li) {
        var m = whole || li.textContent.toLowerCase().indexOf(s) >= 0;
        toggle(li, 'nomatch', !m);
        if (m) { hit[li.id] = 1; any = true; }
      });
      toggle(f, 'nomatch', !any);
    });
    all('a[href^="#host-"]', function (a) { toggle(a, 'nomatch', !hit[a.getAttribute('href').slice(1)]); });
    all('#overview a', function (a) { total++; if (!a.classList.contains('nomatch') && !off[a.className.split(' ')[1].slice(3)]) n++; });
    var problems = 0;
    all('.problem', function (p) {
      var m = !!p.querySelector('a.hl:not(.nomatch)');
      toggle(p, 'nomatch', !m);
      if (m && !off[p.className.split(' ')[1].slice(3)]) problems++;
    });
    all('#problems', function (el) { toggle(el, 'nomatch', !problems); });
    all('.status-head', function (h) { toggle(h, 'nomatch', !h.nextElementSibling.querySelector(':scope > :not(.nomatch)')); });
    shown.textContent = n + ' of ' + total + ' hosts shown';
    if (save) {
      var on = boxes.filter(function (x) { return x.checked; }).map(function (x) { return x.value; });
      var h = (on.length < boxes.length ? ['filter=' + on.join(',')] : []).concat(s ? ['q=' + encodeURIComponent(s)] : []).join('&');
      try { history.replaceState(null, '', h ? '#' + h : location.pathname + location.search); } catch (err) {}
    }
  }
  function fromUrl() {
    var p = new URLSearchParams(location.search + '&' + location.hash.slice(1)), f = p.get('filter');
    if (f !== null) { var want = f.split(','); boxes.forEach(function (x) { x.checked = want.indexOf(x.value) >= 0; }); }
    if (p.get('q') !== null) q.value = p.get('q');
    var target = /^#host-/.test(location.hash) && d.getElementById(location.hash.slice(1));
    for (var el = target; el; el = el.parentElement) if (el.tagName === 'DETAILS') el.open = true;
    if (target) target.scrollIntoView();
  }
  form.hidden = false;
  form.addEventListener('submit', function (ev) { ev.preventDefault(); });
  form.addEventListener('input', function () { apply(true); });
  window.addEventListener('hashchange', function () { fromUrl(); apply(false); });
  fromUrl();
  apply(false);
})();`;

/** The script's hash for the page's Content-Security-Policy: this script runs, no other. */
export const SCRIPT_HASH = `sha256-${createHash('sha256').update(SCRIPT, 'utf8').digest('base64')}`;
