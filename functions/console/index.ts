import { handle } from "hono/aws-lambda";
import { createConsoleApp } from "../../lib/console/app";
import { consoleDependencies } from "../../lib/console/dependencies";
import { createLogger } from "../../lib/observability/logger";
import { SERVICE_NAMES } from "../../lib/observability/metric-names";
import { oncePerEnvironment } from "../../lib/once-per-environment";

/**
 * The merchant's web console (lib/console/app.tsx) behind a Function URL: AWS_IAM on AWS, so only signed
 * requests arrive (`cpe console --aws` signs them with the operator's credentials); locally the Lambda runner
 * serves it on CONSOLE_PORT for `npm start`. Its environment is read by lib/console/dependencies.ts.
 */

const logger = createLogger(SERVICE_NAMES.console);
const dependencies = oncePerEnvironment(() => consoleDependencies(process.env, logger));

export const app = createConsoleApp(dependencies);

export const handler = handle(app);
