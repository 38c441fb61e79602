/* Frames the console replica named by ?src= (loopback http only), full width. */
(function () {
  "use strict";
  var src = new URLSearchParams(location.search).get("src") || "";
  var url;
  try {
    url = new URL(src);
  } catch (e) {
    return;
  }
  if (url.protocol !== "http:" || (url.hostname !== "127.0.0.1" && url.hostname !== "localhost")) return;
  var frame = document.createElement("iframe");
  frame.id = "console-frame";
  frame.title = "Console";
  frame.src = url.href;
  frame.style.cssText = "width:100%;height:800px;border:1px solid #888";
  document.body.appendChild(frame);
})();
