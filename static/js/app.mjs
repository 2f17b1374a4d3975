// Starts GOV.UK Frontend's components and the session-timeout warning.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import { startSessionTimeout } from "/static/js/session-timeout.mjs";

initAll();
startSessionTimeout(document.body);
