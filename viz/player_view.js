// The view of viz.save_html's player: zoom (the wheel, the buttons), pan (dragging), "fit", and following
// the step being played (zooming out only where the value and its op would not fit). The viewBox is the
// view, kept in the viewport's proportions. player.js makes one with viewOf(viewport, svg) and calls what it
// returns.
function viewOf(viewport, svg) {
  "use strict";
  var whole = svg.viewBox.baseVal, full = { x: whole.x, y: whole.y, w: whole.width, h: whole.height };
  var view = { x: 0, y: 0, w: 1, h: 1 }, drag = null;
  var home = null;  // the zoom follow zoomed out from, which the next step comes back to (a zoom of the reader's stays)
  var MARGIN = 8;  // pixels kept between what follow zooms out to show and the viewport's edge
  var OWN = 0.75;  // the drawing's own size: 0.75 points (its units) a pixel
  var READABLE = 1.6;  // points a pixel where its text stays readable (shrunk by 2.1): where start fits the graph
  var LABELS = 1.2;  // as far as follow zooms out for a step's edge labels (shrunk by 1.6: 9-point labels at 7.5 px)
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
  function box() { return viewport.getBoundingClientRect(); }
  function apply() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }
  function lookAt(cx, cy, unitsPerPixel) {  // centre the view on (cx, cy), in the drawing's units
    var r = box();
    view.w = r.width * unitsPerPixel;
    view.h = r.height * unitsPerPixel;
    view.x = cx - view.w / 2;
    view.y = cy - view.h / 2;
    apply();
  }
  function fit() {
    var r = box();
    home = null;
    lookAt(full.x + full.w / 2, full.y + full.h / 2, Math.max(full.w / r.width, full.h / r.height));
  }
  function zoom(factor, clientX, clientY) {  // the point under the cursor stays put
    home = null;
    var r = box(), fx = (clientX - r.left) / r.width, fy = (clientY - r.top) / r.height;
    var px = view.x + fx * view.w, py = view.y + fy * view.h;
    view.w *= factor;
    view.h *= factor;
    view.x = px - fx * view.w;
    view.y = py - fy * view.h;
    apply();
  }
  function zoomCentre(factor) { var r = box(); zoom(factor, r.left + r.width / 2, r.top + r.height / 2); }
  function clamp() {  // keep the drawing filling the view where it is larger than the view
    if (view.w < full.w) view.x = Math.max(full.x, Math.min(full.x + full.w - view.w, view.x));
    if (view.h < full.h) view.y = Math.max(full.y, Math.min(full.y + full.h - view.h, view.y));
    apply();
  }
  function union(b, c) {  // the box around boxes b (or null) and c
    return b ? { left: Math.min(b.left, c.left), right: Math.max(b.right, c.right),
                 top: Math.min(b.top, c.top), bottom: Math.max(b.bottom, c.bottom) }
             : { left: c.left, right: c.right, top: c.top, bottom: c.bottom };
  }
  function bounds(elements) {  // the screen box around elements (null ones skipped), null for none
    var b = null;
    elements.forEach(function (el) {
      var c = el && el.getBoundingClientRect();
      if (!c || c.width + c.height === 0) return;  // a hidden element (display: none) has no box
      b = union(b, c);
    });
    return b;
  }
  function fits(b, r, f, m) {  // whether box b fits in r, m pixels from each side, once the view's units a pixel
    m = m || 0;  // are divided by f
    return (b.right - b.left) * f <= r.width - 2 * m && (b.bottom - b.top) * f <= r.height - 2 * m;
  }
  function inView(b, r) { return b.left >= r.left && b.right <= r.right && b.top >= r.top && b.bottom <= r.bottom; }
  function centre(b) { return [(b.left + b.right) / 2, (b.top + b.bottom) / 2]; }
  function near(b, core) {  // how far box b's centre lies from the core's, in screen pixels
    var p = centre(b), q = centre(core);
    return Math.abs(p[0] - q[0]) + Math.abs(p[1] - q[1]);
  }
  function withLabels(core, groups, reached, r, f, m) {
    // the core's box grown by each edge's labels and the box it reaches (its group), nearest first, while it still
    // fits once the view's units a pixel are divided by f; where a group does not fit, by its labels alone, then by
    // each line of them left out (its numbers, where its first line, naming a long expression, is wider than the
    // view), then by each box reached left out (or its grad field, which the step fills, where the box is too
    // wide: a narrow window's); and how many of those it took; null where the core has none.
    // m: the margin kept, where f is the furthest the view may zoom out (its margin is not to take it further)
    var b = bounds(core), taken = 0, lines = [], boxes = [];
    if (!b || !fits(b, r, f, m)) return { box: b, taken: 0 };
    function take(parts, worth) {  // grow b by the box around parts where it fits, counted as worth; whether it did
      var c = bounds(parts), u = c && union(b, c);
      if (u && !fits(u, r, f, m)) return false;
      if (u) { b = u; taken += worth || parts.length; }
      return true;
    }
    function nearest(lists) {
      return lists.filter(function (parts) { return bounds(parts); })
        .sort(function (p, q) { return near(bounds(p), b) - near(bounds(q), b); });
    }
    nearest(groups.map(function (g, k) { return g.concat([reached[k]]); })).forEach(function (group) {
      if (take(group)) return;
      boxes.push(group.pop());
      if (!take(group)) lines.push.apply(lines, group);
    });
    nearest(lines.map(function (line) { return [line]; })).forEach(function (line) { take(line); });
    nearest(boxes.map(function (reach) { return [reach]; })).forEach(function (reach) {  // else its grad field
      if (!take(reach)) take([].slice.call(reach[0].getElementsByTagName("text"), -1), 0.5);  // less than a box
    });
    return { box: b, taken: taken };
  }
  function reveal(core, edges, groups, reached) {
    // centre the value and its op (`core`) with the edges it sends (`edges`) and the boxes they reach (`reached`,
    // one an edge) where they fit in the viewport, else with as many of those edges' labels (`groups`, one list an
    // edge) and boxes as fit, nearest first, unless that is in view already: a value's edges can reach across the
    // drawing, and the box around them all, centred, held neither the value nor its op. Where more of those labels
    // fit zoomed out to LABELS (beside a tensor's wide record), the view zooms out as far as they need: the step's
    // chain rule is not left off the screen (a 2-4-4-1 MLP's page cut labels at 30 of 101 steps, a tensor page's at
    // 4 of 8). Where the core alone does not fit, the view zooms out until it does.
    // A view follow zoomed out (an earlier step's labels, or its value far from its op) comes back to the zoom it
    // left at the next step: it stayed out, its text smaller, for every later step, each already in view. One the
    // reader zoomed out ("fit", the wheel) stays: it is there to see the whole graph while the steps play
    var r = box(), scale = view.w / r.width, back = home !== null && scale > home, to = back ? home : scale;
    var b = bounds(core.concat(edges, reached));
    if (!b || !fits(b, r, scale / to)) {
      var labelled = withLabels(core, groups, reached, r, scale / to);
      var out = to < LABELS ? withLabels(core, groups, reached, r, scale / LABELS, MARGIN) : labelled;
      b = (out.taken > labelled.taken ? out : labelled).box;
    }
    if (!b || (!back && inView(b, r))) return;
    var f = scale / to;  // screen pixels now, to pixels at the zoom it goes to
    var grow = Math.max(1, (b.right - b.left) * f / (r.width - 2 * MARGIN),
                        (b.bottom - b.top) * f / (r.height - 2 * MARGIN));
    lookAt(view.x + ((b.left + b.right) / 2 - r.left) * scale, view.y + ((b.top + b.bottom) / 2 - r.top) * scale,
           to * grow);
    home = grow > 1 ? to : null;
    clamp();
  }
  function start(root, op) {
    // the whole graph where its text stays readable; else the drawing's own size with the root and its op at
    // the edge of the view they sit at in the drawing (the right one read left to right, the bottom one top to
    // bottom), centred along it (zoomed out only where even they do not fit), the inputs they came from filling
    // the rest: backward starts there. Centred on the root, a drawing read left to right showed it and empty
    // space; put at the right edge, one read top to bottom hid the half of the graph right of the root
    var r = box();
    if (Math.max(full.w / r.width, full.h / r.height) <= READABLE) { fit(); return; }
    lookAt(full.x + full.w / 2, full.y + full.h / 2, OWN);
    var b = bounds([root, op]);
    if (!b) return;
    var scale = view.w / r.width;
    var grow = Math.max(1, (b.right - b.left) / (r.width - 2 * MARGIN), (b.bottom - b.top) / (r.height - 2 * MARGIN));
    var g = scale * grow, x = function (px) { return view.x + (px - r.left) * scale; };
    var y = function (px) { return view.y + (px - r.top) * scale; };
    // how far the root and its op lie from each side of the drawing, in its units: the nearest is their edge
    var gaps = { right: full.x + full.w - x(b.right), left: x(b.left) - full.x,
                 bottom: full.y + full.h - y(b.bottom), top: y(b.top) - full.y };
    var side = Object.keys(gaps).reduce(function (a, k) { return gaps[k] < gaps[a] ? k : a; });
    var cx = x((b.left + b.right) / 2), cy = y((b.top + b.bottom) / 2);
    if (side === "right") cx = x(b.right) + MARGIN * g - r.width * g / 2;
    if (side === "left") cx = x(b.left) - MARGIN * g + r.width * g / 2;
    if (side === "bottom") cy = y(b.bottom) + MARGIN * g - r.height * g / 2;
    if (side === "top") cy = y(b.top) - MARGIN * g + r.height * g / 2;
    lookAt(cx, cy, g);
    home = g > READABLE ? OWN : null;  // the page's own zoom-out past readable, as follow's
    clamp();
  }
  viewport.addEventListener("wheel", function (e) {
    e.preventDefault();
    zoom(Math.exp(e.deltaY * 0.0015), e.clientX, e.clientY);
  }, { passive: false });
  viewport.addEventListener("pointerdown", function (e) {
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false };
  });
  window.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var scale = view.w / box().width;
    drag.moved = drag.moved || Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3;
    view.x = drag.vx - (e.clientX - drag.x) * scale;
    view.y = drag.vy - (e.clientY - drag.y) * scale;
    apply();
  });
  window.addEventListener("pointerup", function () { setTimeout(function () { drag = null; }, 0); });
  window.addEventListener("resize", function () {
    var r = box();
    lookAt(view.x + view.w / 2, view.y + view.h / 2, view.w / r.width || 1);
  });
  return {
    fit: fit,
    zoomCentre: zoomCentre,
    reveal: reveal,
    start: start,
    dragged: function () { return drag !== null && drag.moved; },  // a click that ends a drag picks nothing
  };
}
