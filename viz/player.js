// The player of viz.save_html: steps through the forward pass (step 0), backward (steps 1..n) and,
// with an optimizer, its update (step n+1) on the one SVG of the page, zooms and pans it, and
// explains a clicked value's gradient; with recorded training, a second slider picks the training
// step whose numbers the drawing shows, and stepping on past an update goes to the next one.
// Data comes from the page: page (what every training step shares, see html.py) and runs (per
// training step, the only one without training: captions (per step of the slider: its numbers in
// page.templates, or whole), steps (per backward step: [position of its node, [[position, grad
// text]...], [input indices it sends to]]), data texts, edge numbers, explanations, the update, and
// the first NaN or infinity (trail: its value, the values and edges of its path, its story, its step).
(function () {
  "use strict";
  function element(id) { return document.getElementById(id); }
  var viewport = element("viewport"), svg = viewport.querySelector("svg");
  var run = runs[0], round = 0, picked = null;  // the training step shown, and the clicked value
  var last = run.captions.length - 1, current = 0, timer = null;
  var numbersOf = page.edges.map(function (e) {  // each edge's text "= arriving × local = sent"
    var edge = element("e" + e[0] + "_" + e[1]);
    return edge && edge.getElementsByTagName("text")[1];
  });

  // ---- stepping: grads filled in, edges sent, the node being processed
  function field(position, fromEnd) {
    var texts = element("v" + position).getElementsByTagName("text");
    return texts[texts.length - fromEnd];
  }
  function setGrad(position, text) { field(position, 1).textContent = text; }  // a record's last field; data before
  function mark(step, cls, on) {
    for (var j = 0; j < step[2].length; j++) {
      var edge = element("e" + step[0] + "_" + step[2][j]);
      if (edge) edge.classList.toggle(cls, on);
    }
  }
  function show(i) {
    current = Math.max(0, Math.min(last, i));
    var k, j, v, steps = run.steps;
    for (k = 0; k < page.values.length; k++) {
      v = page.values[k];
      setGrad(v, "grad " + page.notComputed);
      field(v, 2).textContent = run.data[v];
      element("v" + v).classList.remove("updated");
    }
    var marked = svg.querySelectorAll(".current, .bold");
    for (k = 0; k < marked.length; k++) marked[k].classList.remove("current", "bold");
    for (k = 0; k < steps.length; k++) mark(steps[k], "pending", k >= current);
    for (k = 0; k < Math.min(current, steps.length); k++) {
      for (j = 0; j < steps[k][1].length; j++) setGrad(steps[k][1][j][0], steps[k][1][j][1]);
    }
    svg.classList.toggle("forward", current === 0);
    var updating = current > steps.length;  // the optimizer's step, after backward
    for (k = 0; updating && k < run.update.length; k++) {
      v = run.update[k][0];
      field(v, 2).textContent = run.update[k][1];
      element("v" + v).classList.add("updated");
    }
    if (current > 0 && !updating) {
      var node = steps[current - 1][0];
      element("v" + node).classList.add("current");
      if (element("o" + node)) element("o" + node).classList.add("current");
      mark(steps[current - 1], "bold", true);
      if (element("follow").checked) reveal(element("v" + node));
    }
    var counter = "step " + current + (current === 0 ? ": forward" : updating ? ": update" : " of " + steps.length);
    element("counter").textContent = counter;  // backward's steps counted as the captions count them
    markNonfinite(run.trail !== null && current >= run.trail.from ? run.trail : null);
    element("caption").textContent = told(page.templates[current], run.captions[current]);
    element("slider").value = current;
  }
  function markNonfinite(trail) {  // the first NaN or infinity and its path red, as draw marks them, and its story
    var k, marked = svg.querySelectorAll(".nonfinite, .first-nonfinite"), story = element("nonfinite");
    for (k = 0; k < marked.length; k++) marked[k].classList.remove("nonfinite", "first-nonfinite");
    story.hidden = trail === null;
    if (trail === null) return;
    story.textContent = trail.story;
    madeBy = madeBy || opEdges();
    tag(element("v" + trail.node), "first-nonfinite");
    var red = trail.edges.map(function (e) { return element("e" + e[0] + "_" + e[1]); });
    trail.nodes.forEach(function (v) { red.push(element("v" + v), element("o" + v), madeBy[v]); });
    red.forEach(function (el) { tag(el, "nonfinite"); });
  }
  function told(words, numbers) {  // a caption: its template's words around its numbers, or sent whole
    if (typeof numbers === "string") return numbers;
    var text = words[0];
    for (var k = 0; k < numbers.length; k++) text += numbers[k] + words[k + 1];
    return text;
  }
  function load(t) {  // a training step: its numbers on the one drawing
    round = Math.max(0, Math.min(runs.length - 1, t));
    run = runs[round];
    for (var k = 0; k < numbersOf.length; k++) if (numbersOf[k]) numbersOf[k].textContent = run.sent[k];
    if (runs.length > 1) {
      element("round").value = round;
      element("round-counter").textContent = (round + 1) + " of " + runs.length + ", loss " + run.loss;
      for (k = 0; k < runs.length; k++) element("loss" + k).classList.toggle("now", k === round);
    }
    if (picked !== null) pick(picked);
  }
  function forward() {  // the next step; past an update, the next training step's forward pass
    if (current === last && round < runs.length - 1) { load(round + 1); show(0); } else show(current + 1);
  }
  function back() {  // the step before; before a forward pass, the previous training step's update
    if (current === 0 && round > 0) { load(round - 1); show(last); } else show(current - 1);
  }
  function atEnd() { return current === last && round === runs.length - 1; }
  function stop() { clearInterval(timer); timer = null; element("play").textContent = "play"; }
  function play() {
    if (timer) { stop(); return; }
    if (atEnd()) { load(0); show(0); }
    element("play").textContent = "pause";
    timer = setInterval(function () { if (atEnd()) stop(); else forward(); }, 1200);
  }

  // ---- zoom and pan: the viewBox is the view, kept in the viewport's proportions
  var whole = svg.viewBox.baseVal, full = { x: whole.x, y: whole.y, w: whole.width, h: whole.height };
  var view = { x: 0, y: 0, w: 1, h: 1 };
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
    lookAt(full.x + full.w / 2, full.y + full.h / 2, Math.max(full.w / r.width, full.h / r.height));
  }
  function zoom(factor, clientX, clientY) {  // the point under the cursor stays put
    var r = box(), fx = (clientX - r.left) / r.width, fy = (clientY - r.top) / r.height;
    var px = view.x + fx * view.w, py = view.y + fy * view.h;
    view.w *= factor;
    view.h *= factor;
    view.x = px - fx * view.w;
    view.y = py - fy * view.h;
    apply();
  }
  function clamp() {  // keep the drawing filling the view where it is larger than the view
    if (view.w < full.w) view.x = Math.max(full.x, Math.min(full.x + full.w - view.w, view.x));
    if (view.h < full.h) view.y = Math.max(full.y, Math.min(full.y + full.h - view.h, view.y));
    apply();
  }
  function reveal(target) {  // pan so that `target` is in view, when it is not
    var r = box(), b = target.getBoundingClientRect();
    if (b.left >= r.left && b.right <= r.right && b.top >= r.top && b.bottom <= r.bottom) return;
    var scale = view.w / r.width;
    view.x += (b.left + b.width / 2 - (r.left + r.width / 2)) * scale;
    view.y += (b.top + b.height / 2 - (r.top + r.height / 2)) * scale;
    clamp();
  }
  function startView() {  // the whole graph when its text stays readable, else the root at full size
    var r = box();
    if (Math.max(full.w / r.width, full.h / r.height) <= 1.6) { fit(); return; }
    lookAt(full.x + full.w / 2, full.y + full.h / 2, 0.75);  // 0.75 points a pixel: the drawing's own size
    reveal(element("v0"));
  }
  viewport.addEventListener("wheel", function (e) {
    e.preventDefault();
    zoom(Math.exp(e.deltaY * 0.0015), e.clientX, e.clientY);
  }, { passive: false });
  var drag = null;
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

  // ---- a clicked value: its paths up to the root highlighted, its gradient as their sum
  var madeBy = null;  // by a value's position: the edge from its op's oval to it
  var twice = {};  // how many inputs of a value's op are the same value ("child_parent"): a * a
  page.edges.forEach(function (e) { twice[e[0] + "_" + e[2]] = (twice[e[0] + "_" + e[2]] || 0) + 1; });
  function opEdges() {
    var byTitle = {}, found = {}, k, titles = svg.querySelectorAll("g.edge > title");
    for (k = 0; k < titles.length; k++) byTitle[titles[k].textContent] = titles[k].parentNode;
    for (k = 0; k < page.names.length; k++) {
      var value = element("v" + k), name = value && value.querySelector("title").textContent;
      if (name && byTitle[name + "op->" + name]) found[k] = byTitle[name + "op->" + name];
    }
    return found;
  }
  function tag(el, cls) { if (el) el.classList.add(cls); }
  function clearPicked() {
    var marked = svg.querySelectorAll(".onpath, .picked");
    for (var k = 0; k < marked.length; k++) marked[k].classList.remove("onpath", "picked");
  }
  function symbol(name) { return /^[\w#.]+$/.test(name) ? name : "(" + name + ")"; }
  function pick(position) {
    clearPicked();
    picked = position;
    madeBy = madeBy || opEdges();
    element("v" + position).classList.add("picked");
    var found = run.explanations[position], name = page.names[position], root = page.root;
    var grad = "∂" + symbol(root) + "/∂" + symbol(name);
    var count = found[0], total = found[1], rest = found[2], listed = found[3], paths = found[4];
    if (paths.length === 1 && paths[0][0].length === 0) {
      element("explanation").textContent =
        name + " is the root: " + grad + " = " + total + ", the seed backward starts with";
      return;
    }
    var each = page.tensor ? "the gradient each carries (an array of " + name + "'s shape: the seed pulled back " +
      "through each op's rule), added element by element" : "the product of the local derivatives along each";
    var shape = page.tensor ? " (shape " + page.shapes[position] + ")" : "";
    var lines = [grad + shape + " = " + total + ": the sum over the " + count + " path" + (count === 1 ? "" : "s") +
      " from " + name + " up to " + root + " of " + each];
    var which = page.tensor ? " found first, following the larger gradient at each op," : " largest";  // explain's
    if (count > paths.length) lines.push("the " + paths.length + which + " are listed and highlighted; the other " +
      (count - paths.length) + " are summed");
    for (var p = 0; p < paths.length; p++) {
      var edges = paths[p][0], names = [name], factors = [], symbols = [];
      for (var k = 0; k < edges.length; k++) {
        var edge = page.edges[edges[k]], child = edge[0];
        [element("e" + child + "_" + edge[1]), element("o" + child), element("v" + child), madeBy[child]]
          .forEach(function (el) { tag(el, "onpath"); });
        var input = page.names[edge[2]];
        var slot = twice[child + "_" + edge[2]] > 1 ? " (" + input + " as input " + (edge[1] + 1) + ")" : "";
        names.push(page.names[child] + slot);
        symbols.push("∂" + symbol(page.names[child]) + "/∂" + symbol(input));
        factors.push(run.locals[edges[k]]);
      }
      lines.push("path " + (p + 1) + ": " + names.join(" → "));
      var product = edges.length > 1 ? " = " + paths[p][1] : "";
      var named = edges.length <= 4 ? symbols.join(" × ") + " = " : "";  // a long path: its numbers only
      lines.push("    " + (page.tensor ? "carries " + paths[p][1] : named + factors.join(" × ") + product));
    }
    var others = count - paths.length, terms = "";  // one path: its product is the total
    if (others > 0) lines.push("the other " + others + " paths: " + rest + " together");
    if (page.tensor && count > 1) {  // arrays: their summaries do not add up, the arrays do
      terms = (others > 0 ? "the arrays of the paths above (together " + listed + ") and of the other " + others +
        " (" + rest + ")" : "the " + count + " paths' arrays") + " added element by element: ";
    } else if (others > 0) {
      terms = listed + " (the paths above) + " + rest + " (the other " + others + ") = ";
    } else if (paths.length > 1) {
      terms = paths.map(function (path) { return path[1]; }).join(" + ") + " = ";
    }
    lines.push("total: " + terms + total + " = " + grad + ", the gradient backward gives " + name);
    if (page.tensor && count > 1) {
      lines.push("(each array is told by its min, mean and max: the means add up, the minima and maxima need not)");
    }
    element("explanation").textContent = lines.join("\n");
    element("explanation").scrollIntoView({ block: "nearest" });
  }
  viewport.addEventListener("click", function (e) {
    if (drag && drag.moved) return;
    var node = e.target.closest ? e.target.closest("g.node") : null;
    var match = node && /^v(\d+)$/.exec(node.id);
    if (match && run.explanations[match[1]]) pick(+match[1]);  // a value; constants have no gradient
    else { clearPicked(); picked = null; }
  });

  // ---- controls
  element("prev").addEventListener("click", function () { stop(); back(); });
  element("next").addEventListener("click", function () { stop(); forward(); });
  if (runs.length > 1) {
    element("round").addEventListener("input", function () { stop(); load(+this.value); show(current); });
    element("round-prev").addEventListener("click", function () { stop(); load(round - 1); show(current); });
    element("round-next").addEventListener("click", function () { stop(); load(round + 1); show(current); });
    element("losses").addEventListener("click", function (e) {
      var dot = /^loss(\d+)$/.exec(e.target.id || "");
      if (dot) { stop(); load(+dot[1]); show(current); }
    });
  }
  element("play").addEventListener("click", play);
  element("slider").addEventListener("input", function () { stop(); show(+this.value); });
  element("fit").addEventListener("click", fit);
  function zoomCentre(factor) { var r = box(); zoom(factor, r.left + r.width / 2, r.top + r.height / 2); }
  element("zoom-in").addEventListener("click", function () { zoomCentre(0.8); });
  element("zoom-out").addEventListener("click", function () { zoomCentre(1.25); });
  document.addEventListener("click", function (e) {  // a clicked button lets go of the focus: space plays
    if (e.target.tagName === "BUTTON") e.target.blur();
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.type === "range" && e.key.indexOf("Arrow") === 0) return;  // the focused slider steps itself
    if (e.key === "ArrowRight") { stop(); forward(); }
    else if (e.key === "ArrowLeft") { stop(); back(); }
    else if (e.key === "PageDown" || e.key === "PageUp") {
      e.preventDefault();
      stop();
      load(round + (e.key === "PageDown" ? 1 : -1));
      show(current);
    }
    else if (e.key === " ") { e.preventDefault(); play(); }
  });
  var arrow = document.createElementNS("http://www.w3.org/2000/svg", "marker");  // forward arrowheads
  arrow.setAttribute("id", "forward-arrow");
  arrow.setAttribute("viewBox", "0 0 10 10");
  arrow.setAttribute("refX", "10");
  arrow.setAttribute("refY", "5");
  arrow.setAttribute("markerWidth", "7");
  arrow.setAttribute("markerHeight", "7");
  arrow.setAttribute("orient", "auto");
  arrow.innerHTML = '<path d="M0,0 L10,5 L0,10 z" fill="#555"/>';
  svg.insertBefore(document.createElementNS("http://www.w3.org/2000/svg", "defs"), svg.firstChild).appendChild(arrow);
  startView();
  load(0);
  show(0);
})();
