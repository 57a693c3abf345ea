// The player of viz.save_html: steps through the forward pass (step 0), backward (steps 1..n) and,
// with an optimizer, its update (step n+1) on the one SVG of the page (zoomed, panned and kept on the step by
// player_view.js), and explains a clicked value's gradient; with recorded training, a second slider picks the
// training step whose numbers the drawing shows, and stepping on past an update goes to the next one.
// Data comes from the page: page (what every training step shares, see html.py) and runs (per
// training step, the only one without training: captions (per step of the slider: its numbers in
// page.templates, or whole), steps (per backward step: [position of its node, [[position, grad
// text]...], [input indices it sends to]]), data texts, edge numbers, explanations (its distinct lines,
// each its words in page.lineWords and its numbers; per value its lines and its paths' edges, null where
// they are the first training step's), the update, the first NaN or infinity (trail: its value, the
// values and edges of its path, its story, its step), and the sums of shares drawn that do not add up as written
// (sums: [first step, the step past the last or null, the note]).
(function () {
  "use strict";
  function element(id) { return document.getElementById(id); }
  function boxes(position) {  // a value's box and its copies drawn again beside far uses ("v3_1", repeats.py)
    return [element("v" + position)].concat([].slice.call(svg.querySelectorAll('[id^="v' + position + '_"]')));
  }
  var viewport = element("viewport"), svg = viewport.querySelector("svg"), view = viewOf(viewport, svg);
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
  function show(i, kept) {  // kept: the view stays (another training step's numbers at the same step)
    current = Math.max(0, Math.min(last, i));
    var k, j, v, steps = run.steps;
    for (k = 0; k < page.values.length; k++) {
      v = page.values[k];
      setGrad(v, page.notComputed);
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
    element("v0").classList.toggle("start", current === 0);  // where backward starts, at the next step
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
      if (element("follow").checked && !kept) follow(node, steps[current - 1][2]);
    }
    var counter = "step " + current + (current === 0 ? ": forward" : updating ? ": update" : " of " + steps.length);
    element("counter").textContent = counter;  // backward's steps counted as the captions count them
    markNonfinite(run.trail !== null && current >= run.trail.from ? run.trail : null);
    var sums = run.sums.filter(function (s) { return s[0] <= current && (s[1] === null || current < s[1]); });
    element("sums").hidden = sums.length === 0;  // shares drawn that do not add up as written, and why
    say(element("sums"), sums.map(function (s) { return s[2]; }).join("\n"));
    say(element("caption"), told(page.templates[current], run.captions[current]));
    element("slider").value = current;
    noteAhead();
  }
  function follow(node, inputs) {
    // the value and its op in view, with the edges it sends along and the boxes they reach where they fit: the
    // step gives those boxes their gradient (the README's step 4 had both cut at the viewport's left edge)
    var core = [element("v" + node), element("o" + node)];
    var sent = inputs.map(function (j) { return element("e" + node + "_" + j); }).filter(Boolean);
    var reached = sent.map(function (edge) {  // the input's box, or its copy drawn beside this use
      return element(edge.querySelector("title").textContent.split("->")[0]);
    });
    view.reveal(core, sent, sent.map(function (edge) { return [].slice.call(edge.getElementsByTagName("text")); }),
                reached);
  }
  function markNonfinite(trail) {  // the first NaN or infinity and its path red, as draw marks them, and its story
    var k, marked = svg.querySelectorAll(".nonfinite, .first-nonfinite"), story = element("nonfinite");
    for (k = 0; k < marked.length; k++) marked[k].classList.remove("nonfinite", "first-nonfinite");
    story.hidden = trail === null;
    if (trail === null) return;
    say(story, trail.story);
    madeBy = madeBy || opEdges();
    tag(element("v" + trail.node), "first-nonfinite");
    var red = trail.edges.map(function (e) { return element("e" + e[0] + "_" + e[1]); });
    trail.nodes.forEach(function (v) { red.push.apply(red, boxes(v).concat([element("o" + v), madeBy[v]])); });
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
  function another(t) {
    // training step t at the step shown: only the numbers change, so the view stays where the reader zoomed it
    // (follow moved it as for a new step, and zoomed out of a weight zoomed in on to watch it train)
    stop();
    load(t);
    show(current, true);
  }
  function atEnd() { return current === last && round === runs.length - 1; }
  function stop() { clearInterval(timer); timer = null; element("play").textContent = "play"; }
  function play() {
    if (timer) { stop(); return; }
    if (atEnd()) { load(0); show(0); }
    element("play").textContent = "pause";
    timer = setInterval(function () { if (atEnd()) stop(); else forward(); }, 1200);
  }

  // ---- a clicked value: its paths up to the root highlighted, and its gradient as their sum, told as
  // viz.explain tells it (the page carries the text, made by the same Python)
  var madeBy = null;  // by a value's position: the edge from its op's oval to it
  function opEdges() {
    var byTitle = {}, found = {}, k, titles = svg.querySelectorAll("g.edge > title");
    for (k = 0; k < titles.length; k++) byTitle[titles[k].textContent] = titles[k].parentNode;
    for (k = 0; k < page.names.length; k++) {
      var name = element("v" + k) && "v" + k;  // its name in the DOT source (its <title> may say its name whole)
      if (name && byTitle[name + "op->" + name]) found[k] = byTitle[name + "op->" + name];
    }
    return found;
  }
  function tag(el, cls) { if (el) el.classList.add(cls); }
  function clearPicked() {
    var marked = svg.querySelectorAll(".onpath, .picked");
    for (var k = 0; k < marked.length; k++) marked[k].classList.remove("onpath", "picked");
  }
  function pick(position) {
    clearPicked();
    picked = position;
    madeBy = madeBy || opEdges();
    boxes(position).forEach(function (box) { box.classList.add("picked"); });  // the copy clicked too
    var k = page.values.indexOf(position), paths = run.paths[k] || runs[0].paths[k];  // null: the first step's
    paths.forEach(function (edges) {
      edges.forEach(function (number) {
        var edge = page.edges[number], child = edge[0], sent = element("e" + child + "_" + edge[1]);
        var from = sent && element(sent.querySelector("title").textContent.split("->")[0]);  // a box or a copy
        [sent, from, element("o" + child), element("v" + child), madeBy[child]].forEach(function (el) {
          tag(el, "onpath");
        });
      });
    });
    var lines = run.explained[k] || runs[0].explained[k];
    say(element("explanation"), lines.map(function (i) {
      return told(page.lineWords[run.lines[i][0]], run.lines[i].slice(1));
    }).join("\n"));
    noteAhead();
    element("explanation").scrollIntoView({ block: "nearest" });
  }
  function noteAhead() {  // a clicked value whose gradient backward has not given yet at this step: said so
    var given = picked === null ? 0 : givenAt(picked), note = element("ahead");
    note.hidden = current >= given;
    say(note, note.hidden ? "" : "ahead of backward, which gives " + page.names[picked] +
      " this gradient at step " + given + " (its box shows it from there):");
  }
  function givenAt(position) {  // the step that completes a value's gradient: the last that changes it
    for (var s = run.steps.length - 1; s >= 0; s--) {
      if (run.steps[s][1].some(function (change) { return change[0] === position; })) return s + 1;
    }
    return 0;
  }
  viewport.addEventListener("click", function (e) {
    if (view.dragged()) return;
    var node = e.target.closest ? e.target.closest("g.node") : null;
    var match = node && /^v(\d+)(_\d+)?$/.exec(node.id);  // a value's box, or a copy of it drawn again
    if (match && page.values.indexOf(+match[1]) >= 0) pick(+match[1]);  // a value; constants have no gradient
    else { clearPicked(); picked = null; noteAhead(); }
  });

  // ---- a name drawn shortened (its start … its end, long_names.py): whole on hover, over the drawing and the panels
  function wholeIn(text) {  // "x…y is (its whole)", a line for each shortened name in text, by long_names.named_in's
    // rule: "x…y#1" is not in "x…y#12", nor "x…y" in "x…y#3"
    function spaced(t) { return t.replace(/\u00a0/g, " "); }  // a record writes some spaces as no-break ones
    text = spaced(text);  // (text.escape_field): "é mot" drawn "é\u00a0mot"
    return Object.keys(page.whole).filter(function (shown) {
      for (var at = text.indexOf(spaced(shown)); at >= 0; at = text.indexOf(spaced(shown), at + 1)) {
        if (!/^#?\d/.test(text.slice(at + shown.length, at + shown.length + 2))) return true;
      }
      return false;
    }).map(function (shown) { return shown + " is " + page.whole[shown]; }).join("\n");
  }
  function say(el, text) {  // a panel's text, its shortened names whole in its title
    var whole = wholeIn(el.textContent = text);
    if (whole) el.title = whole; else el.removeAttribute("title");
  }
  [].forEach.call(svg.querySelectorAll("g.node, g.cluster"), function (g) {  // its <title>, which the browser shows
    var whole = wholeIn(g.textContent);
    if (whole) g.querySelector("title").textContent = whole;
  });
  [].forEach.call(svg.querySelectorAll("g.edge text"), function (line) {  // an edge's label: a <title> to each line
    var whole = wholeIn(line.textContent), title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = whole;
    if (whole) line.appendChild(title);
  });

  // ---- controls
  element("prev").addEventListener("click", function () { stop(); back(); });
  element("next").addEventListener("click", function () { stop(); forward(); });
  if (runs.length > 1) {
    element("round").addEventListener("input", function () { another(+this.value); });
    element("round-prev").addEventListener("click", function () { another(round - 1); });
    element("round-next").addEventListener("click", function () { another(round + 1); });
    element("losses").addEventListener("click", function (e) {
      var dot = /^loss(\d+)$/.exec(e.target.id || "");
      if (dot) another(+dot[1]);
    });
  }
  element("play").addEventListener("click", play);
  element("slider").addEventListener("input", function () { stop(); show(+this.value); });
  element("fit").addEventListener("click", view.fit);
  element("zoom-in").addEventListener("click", function () { view.zoomCentre(0.8); });
  element("zoom-out").addEventListener("click", function () { view.zoomCentre(1.25); });
  document.addEventListener("click", function (e) {  // a clicked button lets go of the focus: space plays
    if (e.target.tagName === "BUTTON") e.target.blur();
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.type === "range" && e.key.indexOf("Arrow") === 0) return;  // the focused slider steps itself
    if (e.key === "ArrowRight") { stop(); forward(); }
    else if (e.key === "ArrowLeft") { stop(); back(); }
    else if (e.key === "PageDown" || e.key === "PageUp") {
      e.preventDefault();
      another(round + (e.key === "PageDown" ? 1 : -1));
    }
    else if (e.key === " ") { e.preventDefault(); play(); }
  });
  var arrow = document.createElementNS("http://www.w3.org/2000/svg", "marker");  // forward arrowheads
  arrow.setAttribute("id", "forward-arrow");
  arrow.setAttribute("viewBox", "0 0 10 10");
  arrow.setAttribute("refX", "10");
  arrow.setAttribute("refY", "5");
  arrow.setAttribute("markerUnits", "userSpaceOnUse");  // the drawing's size, not the stroke's: a path
  arrow.setAttribute("markerWidth", "7");               // drawn thick (a clicked value's) keeps its arrowheads
  arrow.setAttribute("markerHeight", "7");
  arrow.setAttribute("orient", "auto");
  arrow.innerHTML = '<path d="M0,0 L10,5 L0,10 z" fill="#555"/>';
  svg.insertBefore(document.createElementNS("http://www.w3.org/2000/svg", "defs"), svg.firstChild).appendChild(arrow);
  view.start(element("v0"), element("o0"));
  load(0);
  show(0);
})();
