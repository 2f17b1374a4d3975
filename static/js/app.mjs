// Starts GOV.UK Frontend's components, the session-timeout warning and, on a long job's page, following its progress.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import { followProgress } from "/static/js/progress.mjs";
import { startSessionTimeout } from "/static/js/session-timeout.mjs";

initAll();
startSessionTimeout(document.body);
followProgress(document);
