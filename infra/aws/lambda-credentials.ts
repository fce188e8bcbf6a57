import { fromEnv } from "@aws-sdk/credential-provider-env";

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias, see
 * infra/aws/bundling.ts). The Lambda runtime always hands the function role's credentials over in the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); the SDK's full default chain
 * (SSO, ini files, processes, web identity, instance metadata…) is never reached there and adds ~135 KB and
 * its load time to every function. The local runner also passes credentials in the environment.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
