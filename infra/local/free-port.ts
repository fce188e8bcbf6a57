import { createServer } from "node:net";
import { LOOPBACK_HOST } from "./aws-local-constants";

/**
 * A port that was free a moment ago on 127.0.0.1, for programs that cannot listen on port 0 and report the
 * port back (DynamoDB Local). Another process could take it in between; callers fail clearly if that happens.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, LOOPBACK_HOST, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new Error("Could not learn the free port"))));
    });
  });
}
