/**
 * Values that only make sense on this machine: the emulators accept any credentials, but the AWS SDK
 * refuses to sign without some, and a real key must never be sent to a local emulator. DynamoDB Local (1.23+)
 * rejects an access key id with anything but letters and digits ("UnrecognizedClientException").
 */
export const LOCAL_AWS_REGION = "us-east-1";
export const LOCAL_AWS_CREDENTIALS = {
  accessKeyId: "LOCALACCESSKEYID",
  secretAccessKey: "localSecretAccessKey",
} as const;
/** Loopback only: nothing local is reachable from other machines. */
export const LOOPBACK_HOST = "127.0.0.1";

/** A line of diagnostic output; the caller decides whether and where to print it. */
export type LocalLog = (message: string) => void;
