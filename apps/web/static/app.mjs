// Progressive enhancement only: every page and form works without this file.
import { initAll } from '/styles/govuk-frontend.min.js';

initAll();
