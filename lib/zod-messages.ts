import { en } from "zod/locales";
import * as z from "zod/mini";

/**
 * zod/mini loads no locale, so an issue without a message of its own would say only "Invalid input". Full zod
 * registered English on first use; the modules that moved from it to zod/mini (issue 15) import this one, so the
 * messages operators read (a stores file's problems, an unexpected API response, a poison message) keep saying
 * what was expected and what came. Like full zod, it leaves a locale someone configured alone.
 */
if (!z.config().localeError) z.config(en());
