// Recording in the browser: a call or a pitch from the microphone becomes one more
// file in the form's file field, to be sent with the form. Without scripts (or a
// browser without MediaRecorder) the box stays hidden and the file field works alone.
(function () {
  "use strict";
  if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia ||
      !window.DataTransfer || !window.File) { return; }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function mmss(s) { return pad(Math.floor(s / 60)) + ":" + pad(s % 60); }
  function supportedType() {
    var types = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
    for (var i = 0; i < types.length; i++) {
      if (MediaRecorder.isTypeSupported(types[i])) { return types[i]; }
    }
    return "";
  }
  function fileName(type) {
    var ext = type.indexOf("ogg") >= 0 ? "ogg" : type.indexOf("mp4") >= 0 ? "m4a" : "webm";
    var d = new Date();
    return "recording-" + d.getFullYear() + pad(d.getMonth() + 1) + pad(d.getDate()) + "-" +
      pad(d.getHours()) + pad(d.getMinutes()) + pad(d.getSeconds()) + "." + ext;
  }

  function setUp(box) {
    var input = document.getElementById(box.getAttribute("data-recorder-for"));
    if (!input) { return; }
    var start = box.querySelector(".recorder-start");
    var stop = box.querySelector(".recorder-stop");
    var time = box.querySelector(".recorder-time");
    var status = box.querySelector(".recorder-status");
    var recorder = null, stream = null, chunks = [], began = 0, timer = null;

    function seconds() { return Math.round((Date.now() - began) / 1000); }
    function tick() { time.textContent = mmss(seconds()); }

    function finish() {
      clearInterval(timer);
      tick();
      stream.getTracks().forEach(function (track) { track.stop(); });
      var type = (recorder.mimeType || "audio/webm").split(";")[0];
      var files = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (f) { files.items.add(f); });
      files.items.add(new File(chunks, fileName(type), { type: type }));
      input.files = files.files;
      status.textContent = box.getAttribute("data-added").replace("{length}", mmss(seconds()));
      start.hidden = false;
      stop.hidden = true;
      start.focus();
    }

    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (s) {
        var type = supportedType();
        stream = s;
        chunks = [];
        recorder = type ? new MediaRecorder(s, { mimeType: type }) : new MediaRecorder(s);
        recorder.addEventListener("dataavailable", function (e) { if (e.data && e.data.size) { chunks.push(e.data); } });
        recorder.addEventListener("stop", finish);
        recorder.start(1000);
        began = Date.now();
        status.textContent = box.getAttribute("data-recording");
        start.hidden = true;
        stop.hidden = false;
        stop.focus();
        timer = setInterval(tick, 250);
        tick();
      }, function () {
        status.textContent = box.getAttribute("data-refused");
      });
    });
    stop.addEventListener("click", function () {
      if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    });
    box.hidden = false;
  }

  Array.prototype.forEach.call(document.querySelectorAll(".recorder[data-recorder-for]"), setUp);
}());
