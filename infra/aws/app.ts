import { App } from "aws-cdk-lib";
import { addAceleralaSunat } from "./build";

/**
 * The CDK app (cdk.json runs it with `node --import tsx`). One environment-agnostic stack: no context lookups,
 * no account or region baked in, so `npm run synth` works offline; the deploy takes both from the AWS profile.
 * cdk-nag's AWS Solutions checks run on every synth; an unacknowledged finding fails it.
 *
 * CDK's built-in CloudFormation schema validation takes ~8 s of a ~10 s synth and CloudFormation validates the
 * template again at deploy time, so it is opt-in: CDK_VALIDATION=true npm run synth.
 */
const app = new App({ builtinCloudFormationValidation: process.env.CDK_VALIDATION === "true" });
addAceleralaSunat(app);
app.synth();
