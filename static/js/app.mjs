// Starts GOV.UK Frontend's components, tables that scroll in their own box, the session-timeout warning and, on a long job's page, following its progress.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import { followProgress } from "/static/js/progress.mjs";
import { startSessionTimeout } from "/static/js/session-timeout.mjs";
import { scrollTables } from "/static/js/tables.mjs";

initAll();
scrollTables(document);
startSessionTimeout(document.body);
followProgress(document);
