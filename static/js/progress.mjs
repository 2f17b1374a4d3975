// A long job's page follows the job without reloading itself.
//
// A <meta http-equiv="refresh"> reloads the whole page every few seconds with no way to stop it: a screen reader
// starts reading again from the top and the keyboard focus goes back to the start of the page (WCAG 2.2.1 Timing
// Adjustable; axe's meta-refresh rule). Instead the page says how often to look, with
// <meta name="app-refresh" content="SECONDS">, and this asks for the page again that often and puts the new <main>
// in place of the old one when what it shows changed. A change of status is announced politely; the focus stays on
// the same element; nothing is swapped while the person has started filling in a form on the page; and the
// looking stops when the new page no longer asks for it (the job has finished). Without JavaScript the page
// still shows the status as it was, and reloading it shows the new one.

import { initAll } from "/static/govuk/govuk-frontend.min.js";

const MARKER = 'meta[name="app-refresh"]';

// What a page shows, without the per-response CSRF token that differs on every answer.
function shown(main) {
  const copy = main.cloneNode(true);
  copy.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach((input) => input.remove());
  return copy.innerHTML;
}

function statusOf(main) {
  return Array.from(main.querySelectorAll(".govuk-tag"), (tag) => tag.textContent.trim()).join(", ");
}

export function followProgress(doc = document) {
  const marker = doc.querySelector(MARKER);
  const main = doc.querySelector("main");
  if (!marker || !main) return;
  const every = Math.max(Number.parseInt(marker.content, 10) || 5, 1) * 1000;
  const announcer = doc.createElement("div");
  announcer.className = "govuk-visually-hidden";
  announcer.setAttribute("role", "status");
  doc.body.append(announcer);
  let editing = false; // the person has typed or chosen something in a form of the page
  main.addEventListener("input", () => {
    editing = true;
  });

  const look = async () => {
    let response;
    try {
      response = await fetch(window.location.href, { credentials: "same-origin", cache: "no-store" });
    } catch {
      window.setTimeout(look, every); // the network dropped for a moment: look again later
      return;
    }
    if (response.redirected) {
      window.location.assign(response.url); // the job moved the page on (a finished import's result)
      return;
    }
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    const nextMain = next.querySelector("main");
    if (response.ok && nextMain && !editing && shown(nextMain) !== shown(main)) {
      const before = statusOf(main);
      const focusedId = main.contains(doc.activeElement) ? doc.activeElement.id : "";
      main.replaceChildren(...nextMain.childNodes);
      doc.title = next.title;
      initAll({ scope: main });
      if (focusedId) doc.getElementById(focusedId)?.focus();
      const after = statusOf(main);
      if (after && after !== before) announcer.textContent = after;
    }
    if (!response.ok || next.querySelector(MARKER)) window.setTimeout(look, every);
  };
  window.setTimeout(look, every);
}
