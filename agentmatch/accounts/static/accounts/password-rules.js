// Live checklist for the password field: the same rules as accounts/passwords.py,
// which stays the authority (the server checks again on submit).
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
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("password-checklist");
    if (!list) return;
    var input = document.getElementById(list.dataset.for);
    if (!input) return;
    input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "") + " password-checklist");
    function update() {
      list.querySelectorAll("li[data-rule]").forEach(function (li) {
        var ok = rules[li.dataset.rule](input.value);
        li.className = ok ? "ok" : "bad";
      });
    }
    input.addEventListener("input", update);
    update();
  });
})();
