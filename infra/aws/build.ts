import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { AceleralaSunatStack } from "./stack";

export const STACK_NAME = "AceleralaSunat";

/** Adds the stack to the app and registers cdk-nag (AWS Solutions) as a validation plugin of the app. */
export function addAceleralaSunat(app: App): AceleralaSunatStack {
  const stack = new AceleralaSunatStack(app, STACK_NAME, {
    description: "acelerala-sunat: one SUNAT receipt per paid Acelérala order, with its CDR status.",
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
