// A comment's moment plays the recording from there, in the page. Without it, the
// same link opens the recording at that moment (a media fragment, #t=seconds).
(function () {
  "use strict";
  var player = document.getElementById("evidence-player");
  if (!player) { return; }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.moment[data-seconds]") : null;
    if (!link) { return; }
    event.preventDefault();
    player.currentTime = Number(link.getAttribute("data-seconds"));
    var playing = player.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
  });
  // The time field of a new comment takes the player's moment when it is empty.
  var at = document.getElementById("at");
  if (at) {
    at.addEventListener("focus", function () {
      if (at.value) { return; }
      var s = Math.floor(player.currentTime || 0);
      var m = Math.floor(s / 60);
      at.value = (m < 10 ? "0" : "") + m + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
    });
  }
}());
