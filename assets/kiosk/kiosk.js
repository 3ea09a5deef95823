// The cart's TV: at each change the kiosk server says when the next one is due (data-next on
// <main>, milliseconds); the page asks /slide then and swaps the slide in. The server keeps the
// playlist and its deadlines; while it cannot be reached the page keeps what it shows and
// asks again every few seconds.
"use strict";

const RETRY_MS = 5000;
const LATE_MS = 60; // a little after the deadline, so the server has moved on

function schedule(ms) {
  window.setTimeout(next, Math.max(0, ms) + LATE_MS);
}

async function next() {
  try {
    const response = await fetch("/slide", { cache: "no-store" });
    if (!response.ok) throw new Error(String(response.status));
    const slide = await response.json();
    document.documentElement.lang = slide.lang;
    const holder = document.createElement("template");
    holder.innerHTML = slide.html;
    document.body.replaceChildren(holder.content);
    schedule(slide.next);
  } catch (_error) {
    schedule(RETRY_MS);
  }
}

function start() {
  const main = document.getElementById("slide");
  schedule(main ? Number(main.dataset.next) || 0 : 0);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
