// Live checklist for the password field: the same rules as accounts/passwords.py,
// which stays the authority (the server checks again on submit). The "common password"
// line loads Django's list (the part 8 to 20 characters long) as a static file on the first
// key press, so the candidate never leaves the browser; until it arrives the line is unmarked.
(function () {
  "use strict";
  function longestRepeat(p) {
    var longest = 0, run = 0, prev = null;
    for (var i = 0; i < p.length; i++) {
      run = p[i] === prev ? run + 1 : 1; prev = p[i];
      if (run > longest) longest = run;
    }
    return longest;
  }
  function step(a, b) {
    a = a.toLowerCase(); b = b.toLowerCase();
    var digits = /[0-9]/, letters = /[a-z]/;
    var same = (digits.test(a) && digits.test(b)) || (letters.test(a) && letters.test(b));
    if (!same) return null;
    var d = b.charCodeAt(0) - a.charCodeAt(0);
    return d === 1 || d === -1 ? d : null;
  }
  function longestSequence(p) {
    if (!p) return 0;
    var longest = 1, run = 1, dir = null;
    for (var i = 1; i < p.length; i++) {
      var s = step(p[i - 1], p[i]);
      if (s !== null && s === dir) run += 1;
      else if (s !== null) { run = 2; dir = s; }
      else { run = 1; dir = null; }
      if (run > longest) longest = run;
    }
    return longest;
  }
  var rules = {
    no_spaces: function (p) { return !/\s/.test(p); },
    length: function (p) { return p.length >= 8 && p.length <= 20; },
    number: function (p) { return /[0-9]/.test(p); },
    lower: function (p) { return /\p{Ll}/u.test(p); },
    upper: function (p) { return /\p{Lu}/u.test(p); },
    special: function (p) { return /[^\p{L}\p{N}\s]/u.test(p); },
    repetitive: function (p) { return longestRepeat(p) <= 3; },
    sequential: function (p) { return longestSequence(p) <= 3; }
  };
  function personalWords(list) {
    var words = [];
    try { words = JSON.parse(list.dataset.personalWords || "[]"); } catch (e) { words = []; }
    personalInputs(list).forEach(function (el) { words.push(el.value.toLowerCase()); });
    // As the server: words shorter than three characters do not count.
    return words.filter(function (w) { return w.length >= 3; });
  }
  function personalInputs(list) {
    return (list.dataset.personalInputs || "").split(/\s+/).map(function (id) {
      return id && document.getElementById(id);
    }).filter(Boolean);
  }
  function setUp() {
    var list = document.getElementById("password-checklist");
    if (!list) return;
    var input = document.getElementById(list.dataset.for);
    if (!input) return;
    var status = list.parentNode.querySelector("[data-password-status]");
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/);
    if (described.indexOf("password-checklist") === -1) {
      described.push("password-checklist");
      input.setAttribute("aria-describedby", described.join(" ").trim());
    }
    var timer = null, common = null, loading = false;
    rules.common = function (p) {
      return common === null ? null : !common.has(p.toLowerCase().trim());
    };
    rules.personal = function (p) {
      var lowered = p.toLowerCase();
      return !personalWords(list).some(function (w) { return lowered.indexOf(w) !== -1; });
    };
    function loadCommon() {
      if (loading || !list.dataset.commonUrl) return;
      loading = true;
      fetch(list.dataset.commonUrl).then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (text) {
          if (!text) return;
          common = new Set(text.split("\n"));
          update();
        }).catch(function () { /* the server still checks on submit */ });
    }
    function update() {
      loadCommon();
      var met = 0, items = list.querySelectorAll("li[data-rule]");
      items.forEach(function (li) {
        var ok = rules[li.dataset.rule](input.value);
        if (ok === null) return;  // not known yet (the common list is loading)
        if (ok) met += 1;
        li.classList.toggle("usa-checklist__item--checked", ok);
        li.classList.toggle("password-rule--broken", !ok);
        var state = li.querySelector("[data-rule-state]");
        if (state) state.textContent = ": " + (ok ? list.dataset.msgMet : list.dataset.msgBroken);
      });
      // One short summary for screen readers once typing pauses, not the list per key.
      if (status) {
        clearTimeout(timer);
        timer = setTimeout(function () {
          status.textContent = (list.dataset.msgCount || "{met} / {total}")
            .replace("{met}", met).replace("{total}", items.length);
        }, 800);
      }
    }
    // The page may come back from the server with the checklist already marked (a
    // rejected password); leave that until the person types again.
    input.addEventListener("input", update);
    // The username typed on the sign-up form counts for the "name or email" line.
    personalInputs(list).forEach(function (el) {
      el.addEventListener("input", function () { if (input.value) update(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
