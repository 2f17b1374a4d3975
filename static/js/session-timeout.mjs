// Warns a signed-in user before the 30-minute idle limit ends their session, and lets them extend it.
// The server is the authority (the session cookie expires on its own); this only gives notice.

function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

export function startSessionTimeout(body) {
  const idle = Number(body.dataset.sessionIdleSeconds || 0);
  const warning = Number(body.dataset.sessionWarningSeconds || 0);
  const dialog = document.getElementById("session-timeout-dialog");
  if (!idle || !dialog) return;

  let warnTimer;
  let endTimer;

  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(() => {
      if (!dialog.open) dialog.showModal();
      dialog.querySelector("[data-session-extend]").focus();
    }, Math.max(idle - warning, 1) * 1000);
    endTimer = setTimeout(() => {
      window.location.href = body.dataset.signOutUrl;
    }, idle * 1000);
  };

  dialog.querySelector("[data-session-extend]").addEventListener("click", async () => {
    const response = await fetch(body.dataset.sessionExtendUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    });
    if (response.ok) {
      dialog.close();
      schedule();
    } else {
      window.location.href = body.dataset.signOutUrl;
    }
  });

  schedule();
}
